// What a node leaves outside its processes, removed once they are gone (on the way down, and when a
// crashed cluster is cleaned up): the pods' processes, which outlive kubelet and containerd's shims in
// network namespaces of their own, the cgroups kubelet made, and the node's state (containerd's
// images and snapshots, kubelet's root). The mounts went with the node's private mount namespace.
import { rm } from 'node:fs/promises';
import type { ClusterPaths } from '../state.ts';
import { removeCgroupRoot } from './cgroups.ts';
import { nodePaths } from './paths.ts';

/** The cgroup root kubelet puts the pods under: the namespace's name, ktc-<cluster>. */
export const cgroupRootOf = (paths: ClusterPaths) => paths.namespace;

/** Answers how many pod processes it killed. */
export async function cleanUpNode(paths: ClusterPaths): Promise<number> {
  const killed = await removeCgroupRoot(cgroupRootOf(paths));
  await rm(nodePaths(paths).dir, { recursive: true, force: true });
  return killed;
}
