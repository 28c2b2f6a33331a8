// Kubeconfigs that go wrong in one way each, for a running cluster of ours: a user the cluster knows
// but has given no permission, and a certificate authority that is not the cluster's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { writeKubeconfig } from '../../tools/cluster/kubeconfig.ts';
import { mustRun } from '../../tools/cluster/run-command.ts';

async function folderFor(t: ExecutionContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'kubeconfigs-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

async function key(file: string): Promise<void> {
  await mustRun('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

/** A client certificate for `user`, signed by `ca` (which the cluster trusts, or not). */
async function clientCertificate(folder: string, user: string, ca: { cert: string; key: string }) {
  const pair = { cert: join(folder, `${user}.crt`), key: join(folder, `${user}.key`) };
  await key(pair.key);
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
    `/CN=${user}`,
    '-days',
    '1',
    '-addext',
    'extendedKeyUsage=clientAuth',
    '-out',
    pair.cert,
  ]);
  return pair;
}

/** A user the cluster's CA vouches for, with no role bound to it: authenticated, allowed nothing. */
export async function kubeconfigWithoutPermissions(t: ExecutionContext, cluster: RunningCluster): Promise<string> {
  const folder = await folderFor(t);
  const ca = { cert: join(cluster.paths.pki, 'ca.crt'), key: join(cluster.paths.pki, 'ca.key') };
  const file = join(folder, 'config');
  await writeKubeconfig(file, {
    name: cluster.name,
    server: cluster.server,
    caFile: ca.cert,
    client: await clientCertificate(folder, 'no-permissions', ca),
  });
  return file;
}

/** The admin's certificate, but a CA that did not sign the API server's certificate. */
export async function kubeconfigWithWrongCa(t: ExecutionContext, cluster: RunningCluster): Promise<string> {
  const folder = await folderFor(t);
  const other = { cert: join(folder, 'other-ca.crt'), key: join(folder, 'other-ca.key') };
  await key(other.key);
  await mustRun('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    other.key,
    '-subj',
    '/CN=another CA',
    '-days',
    '1',
    '-out',
    other.cert,
  ]);
  const file = join(folder, 'config');
  await writeKubeconfig(file, {
    name: cluster.name,
    server: cluster.server,
    caFile: other.cert,
    client: { cert: join(cluster.paths.pki, 'admin.crt'), key: join(cluster.paths.pki, 'admin.key') },
  });
  return file;
}
