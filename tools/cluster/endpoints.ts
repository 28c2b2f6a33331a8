// Endpoints and an EndpointSlice that lead a selector-less Service to a process inside the cluster's
// namespace rather than to pods: Knative's webhook, and the API server behind the `kubernetes` Service.
import type { KubernetesObject } from '../knative/manifests.ts';

export interface ProcessEndpoint {
  service: string;
  namespace: string;
  address: string;
  port: number;
  portName: string;
}

export function processEndpoints({ service, namespace, address, port, portName }: ProcessEndpoint): KubernetesObject[] {
  const ports = [{ name: portName, port, protocol: 'TCP' }];
  return [
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      // The slice below is ours: kube-controller-manager must not mirror these into a second one.
      metadata: { name: service, namespace, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: address }], ports }],
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `${service}-process`,
        namespace,
        labels: {
          'kubernetes.io/service-name': service,
          'endpointslice.kubernetes.io/managed-by': 'knative-tracing-counter',
        },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [address], conditions: { ready: true } }],
      ports,
    },
  ];
}
