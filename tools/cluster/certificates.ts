// The cluster's certificates, made anew for every start with openssl (P-256 keys: a few ms each).
// One CA signs the API server's serving certificate and every client's: the admin (group
// system:masters), kube-controller-manager, the API server towards kubelets (for the node, later), and
// Knative's controller and webhook, which present the identity of their ServiceAccount. A second CA
// signs the front proxy's client certificate (the API server towards aggregated API servers).
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from '../processes/run-command.ts';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface ClusterCertificates {
  ca: KeyPair;
  apiServer: KeyPair;
  admin: KeyPair;
  controllerManager: KeyPair;
  /** system:serviceaccount:knative-serving:controller, the ServiceAccount Knative's Deployments run as. */
  knative: KeyPair;
  apiServerKubeletClient: KeyPair;
  /**
   * The API server's identity towards aggregated API servers, and the CA they check it with; without
   * them kube-controller-manager complains every minute that the requestheader CA is missing.
   */
  frontProxyCa: KeyPair;
  frontProxyClient: KeyPair;
  /** Signs and checks service account tokens. */
  serviceAccount: { key: string; publicKey: string };
}

/** The API server's user towards kubelets (logs, exec, port-forward), as kubeadm names it. */
export const KUBELET_API_CLIENT = 'kube-apiserver-kubelet-client';

export class CertificateError extends Error {
  override name = 'CertificateError';
}

export interface Leaf {
  subject: string;
  usage: 'serverAuth' | 'clientAuth';
  altNames?: string[];
}

/** A private key, readable by its owner alone whatever openssl's version or the umask would give it. */
async function generateKey(file: string): Promise<void> {
  await mustRun('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
  await chmod(file, 0o600);
}

export async function createCa(folder: string, name: string, commonName: string): Promise<KeyPair> {
  const pair = { cert: join(folder, `${name}.crt`), key: join(folder, `${name}.key`) };
  await generateKey(pair.key);
  await mustRun('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    pair.key,
    '-subj',
    `/CN=${commonName}`,
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-out',
    pair.cert,
  ]);
  return pair;
}

export async function createLeaf(folder: string, name: string, ca: KeyPair, leaf: Leaf): Promise<KeyPair> {
  const pair = { cert: join(folder, `${name}.crt`), key: join(folder, `${name}.key`) };
  await generateKey(pair.key);
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${leaf.usage}`,
    ...(leaf.altNames ? [`subjectAltName=${leaf.altNames.join(',')}`] : []),
  ];
  await mustRun('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    pair.key,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-subj',
    leaf.subject,
    '-days',
    '365',
    ...extensions.flatMap((extension) => ['-addext', extension]),
    '-out',
    pair.cert,
  ]);
  return pair;
}

/**
 * Writes every certificate and key into `folder`. `apiServerIps` are the addresses the API server is
 * reached at (127.0.0.1 through the bridge, the namespace's address, the `kubernetes` Service's IP).
 */
export async function createClusterCertificates(
  folder: string,
  { clusterName, apiServerIps }: { clusterName: string; apiServerIps: readonly string[] },
): Promise<ClusterCertificates> {
  try {
    const ca = await createCa(folder, 'ca', `${clusterName} CA`);
    const frontProxyCa = await createCa(folder, 'front-proxy-ca', `${clusterName} front proxy CA`);
    const serviceAccount = { key: join(folder, 'service-account.key'), publicKey: join(folder, 'service-account.pub') };
    await generateKey(serviceAccount.key);
    await mustRun('openssl', ['pkey', '-in', serviceAccount.key, '-pubout', '-out', serviceAccount.publicKey]);
    const names = [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
    ];
    return {
      ca,
      frontProxyCa,
      frontProxyClient: await createLeaf(folder, 'front-proxy-client', frontProxyCa, {
        subject: '/CN=front-proxy-client',
        usage: 'clientAuth',
      }),
      serviceAccount,
      apiServer: await createLeaf(folder, 'kube-apiserver', ca, {
        subject: '/CN=kube-apiserver',
        usage: 'serverAuth',
        altNames: [...apiServerIps.map((ip) => `IP:${ip}`), 'DNS:localhost', ...names.map((name) => `DNS:${name}`)],
      }),
      admin: await createLeaf(folder, 'admin', ca, {
        subject: '/O=system:masters/CN=kubernetes-admin',
        usage: 'clientAuth',
      }),
      controllerManager: await createLeaf(folder, 'kube-controller-manager', ca, {
        subject: '/CN=system:kube-controller-manager',
        usage: 'clientAuth',
      }),
      knative: await createLeaf(folder, 'knative-serving-controller', ca, {
        subject:
          '/O=system:serviceaccounts/O=system:serviceaccounts:knative-serving/CN=system:serviceaccount:knative-serving:controller',
        usage: 'clientAuth',
      }),
      // Not system:masters: KUBELET_API_CLIENT is bound to the kubelet API's role alone (cluster.ts).
      apiServerKubeletClient: await createLeaf(folder, 'kube-apiserver-kubelet-client', ca, {
        subject: `/CN=${KUBELET_API_CLIENT}`,
        usage: 'clientAuth',
      }),
    };
  } catch (error) {
    throw new CertificateError(`Could not create the cluster's certificates in ${folder}: ${(error as Error).message}`);
  }
}
