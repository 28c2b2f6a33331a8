// The cluster's certificates (tools/cluster/certificates.ts), made by the real openssl: private keys
// readable by their owner alone, and the API server's identity towards kubelets no cluster admin.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { createClusterCertificates, KUBELET_API_CLIENT } from '../../tools/cluster/certificates.ts';
import { mustRun } from '../../tools/processes/run-command.ts';

test('every private key is mode 0600; the kubelet client is not in system:masters', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'pki-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  const certificates = await createClusterCertificates(folder, { clusterName: 'test', apiServerIps: ['127.0.0.1'] });
  const keys = [
    certificates.ca.key,
    certificates.apiServer.key,
    certificates.admin.key,
    certificates.apiServerKubeletClient.key,
    certificates.serviceAccount.key,
  ];
  for (const key of keys) t.is((await stat(key)).mode & 0o777, 0o600, key);
  const subject = await mustRun('openssl', [
    'x509',
    '-in',
    certificates.apiServerKubeletClient.cert,
    '-noout',
    '-subject',
  ]);
  t.is(subject.trim(), `subject=CN = ${KUBELET_API_CLIENT}`);
});
