// containerd comes from Debian's package (1.6, CRI v1, runc), as podman does: when the command is
// missing, it is installed with apt-get as root, else the error says which command to run. The CNI
// plugins (containernetworking-plugins) come with podman.
import { ContainerToolsError, ensureDebianPackages } from '../../containers/install.ts';

export const NODE_PACKAGES = { containerd: 'containerd', ctr: 'containerd' } as const;

export class NodeToolsError extends Error {
  override name = 'NodeToolsError';
}

/** Installs containerd when missing; answers what it did. */
export async function ensureContainerd(progress: (line: string) => void): Promise<string> {
  try {
    return await ensureDebianPackages(NODE_PACKAGES, progress, "The cluster's node and its pods");
  } catch (error) {
    if (error instanceof ContainerToolsError) throw new NodeToolsError(error.message);
    throw error;
  }
}
