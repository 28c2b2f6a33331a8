// The node's addresses inside the cluster's network namespace. This kernel has no `dummy` links, so a
// veth pair with both ends inside gives the node an address (NODE_IP) and a default route (through
// GATEWAY_IP, an address nobody holds, out of the other end): ClusterIP traffic, which kube-proxy rewrites, then has a route, and
// nothing has a way out of the namespace. Pods get addresses from POD_CIDR on a bridge inside it.
import { mustRun } from '../../processes/run-command.ts';

export const NODE_IP = '10.250.0.2';
export const GATEWAY_IP = '10.250.0.1';
const PREFIX_LENGTH = 24;
/** The pods' addresses (the CNI bridge's range); far from the Service range 10.96.0.0/16. */
export const POD_CIDR = '10.252.0.0/24';
export const POD_BRIDGE = 'ktc-pods';
const NODE_LINK = 'ktc-node';
const GATEWAY_LINK = 'ktc-gateway';

export class NodeNetworkError extends Error {
  override name = 'NodeNetworkError';
}

/** Creates the veth pair, both ends inside `namespace`, the node's address and its default route. */
export async function createNodeNetwork(namespace: string): Promise<void> {
  const ip = (...args: string[]) => mustRun('ip', ['-n', namespace, ...args]);
  try {
    await ip('link', 'add', NODE_LINK, 'type', 'veth', 'peer', 'name', GATEWAY_LINK);
    await ip('address', 'add', `${NODE_IP}/${PREFIX_LENGTH}`, 'dev', NODE_LINK);
    await ip('link', 'set', NODE_LINK, 'up');
    await ip('link', 'set', GATEWAY_LINK, 'up');
    await ip('route', 'add', 'default', 'via', GATEWAY_IP, 'dev', NODE_LINK, 'onlink');
  } catch (error) {
    throw new NodeNetworkError(
      `Could not give the node its address in the namespace ${namespace}: ${(error as Error).message}`,
    );
  }
}

/** The CNI configuration: a bridge inside the namespace, addresses from POD_CIDR, no masquerading. */
export function cniConfig(dataDir: string): string {
  const config = {
    cniVersion: '1.0.0',
    name: 'ktc-pods',
    plugins: [
      {
        type: 'bridge',
        bridge: POD_BRIDGE,
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir },
      },
      { type: 'loopback' },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
