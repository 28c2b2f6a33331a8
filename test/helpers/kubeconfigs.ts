// Kubeconfigs that go wrong in one way each, for a running cluster of ours: a user the cluster knows
// but has given no permission, and a certificate authority that is not the cluster's.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { createCa, createLeaf } from '../../tools/cluster/certificates.ts';
import type { RunningCluster } from '../../tools/cluster/cluster.ts';
import { writeKubeconfig } from '../../tools/cluster/kubeconfig.ts';

async function folderFor(t: ExecutionContext): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'kubeconfigs-'));
  t.teardown(() => rm(folder, { recursive: true, force: true }));
  return folder;
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
    client: await createLeaf(folder, 'no-permissions', ca, { subject: '/CN=no-permissions', usage: 'clientAuth' }),
  });
  return file;
}

/** The admin's certificate, but a CA that did not sign the API server's certificate. */
export async function kubeconfigWithWrongCa(t: ExecutionContext, cluster: RunningCluster): Promise<string> {
  const folder = await folderFor(t);
  const other = await createCa(folder, 'other-ca', 'another CA');
  const file = join(folder, 'config');
  await writeKubeconfig(file, {
    name: cluster.name,
    server: cluster.server,
    caFile: other.cert,
    client: { cert: join(cluster.paths.pki, 'admin.crt'), key: join(cluster.paths.pki, 'admin.key') },
  });
  return file;
}
