// Knative Services broken in one way each, from the project's good ones, with the message Knative
// answers: judged by Knative's code out of cluster (test/knative/check.test.ts) and by the real
// webhook of a running cluster (test/cluster/deploy.test.ts), which must agree.
import type { KubernetesObject, Manifest } from '../../tools/knative/manifests.ts';

interface Container {
  ports: { containerPort: number }[];
  env: { name: string; value: string }[];
  securityContext?: Record<string, unknown>;
  [field: string]: unknown;
}
export interface KnativeService extends KubernetesObject {
  spec: {
    template: {
      metadata: { annotations: Record<string, string> };
      spec: { containers: [Container]; securityContext?: Record<string, unknown>; [field: string]: unknown };
    };
  };
}

/** A fresh copy of a project manifest. */
export function copyOf<T extends KubernetesObject>(manifests: readonly Manifest[], kind: string, name: string): T {
  const manifest = manifests.find(({ object }) => object.kind === kind && object.metadata.name === name);
  if (!manifest) throw new Error(`No ${kind} ${name} among the manifests`);
  return structuredClone(manifest.object) as T;
}

export const refusedServices: {
  title: string;
  name: string;
  change: (service: KnativeService) => void;
  message: string;
}[] = [
  {
    title: 'an autoscaling annotation on the Service itself',
    name: 'frontend',
    change: (service) => {
      service.metadata.annotations = { 'autoscaling.knative.dev/min-scale': '1' };
    },
    message:
      'validation failed: invalid key name "autoscaling.knative.dev/min-scale": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work',
  },
  {
    title: 'a pod securityContext (no field of it is allowed by default), runAsNonRoot',
    name: 'backend',
    change: (service) => {
      service.spec.template.spec.securityContext = { runAsNonRoot: true };
    },
    message:
      'validation failed: must not set the field(s): spec.template.spec.securityContext, spec.template.spec.securityContext.runAsNonRoot',
  },
  {
    title: 'a pod securityContext (no field of it is allowed by default), seccompProfile',
    name: 'backend',
    change: (service) => {
      service.spec.template.spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
    },
    message:
      'validation failed: must not set the field(s): spec.template.spec.securityContext, spec.template.spec.securityContext.seccompProfile',
  },
  {
    title: 'min-scale above max-scale',
    name: 'backend',
    change: (service) => {
      service.spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'] = '3';
    },
    message:
      'validation failed: max-scale=1 is less than min-scale=3: spec.template.metadata.annotations.autoscaling.knative.dev/max-scale, spec.template.metadata.annotations.autoscaling.knative.dev/min-scale',
  },
  {
    title: 'an unknown field (refused by the API server, before the webhook)',
    name: 'frontend',
    change: (service) => {
      service.spec.template.spec.containers[0].port = 8080;
    },
    message: 'strict decoding error: unknown field "spec.template.spec.containers[0].port"',
  },
  {
    title: 'a second container port',
    name: 'frontend',
    change: (service) => {
      service.spec.template.spec.containers[0].ports.push({ containerPort: 9464 });
    },
    message:
      'validation failed: more than one container port is set: spec.template.spec.containers[*].ports\nOnly a single port is allowed across all containers',
  },
  {
    title: "queue-proxy's port",
    name: 'backend',
    change: (service) => {
      service.spec.template.spec.containers[0].ports = [{ containerPort: 8012 }];
    },
    message:
      'validation failed: invalid value: 8012 is a reserved port: spec.template.spec.containers[0].ports.containerPort\n8012 is a reserved port, please use a different value',
  },
  {
    title: 'a timeout above the 600 s maximum',
    name: 'backend',
    change: (service) => {
      service.spec.template.spec.timeoutSeconds = 601;
    },
    message: 'validation failed: expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds',
  },
  {
    title: 'PORT, which Knative sets',
    name: 'frontend',
    change: (service) => {
      service.spec.template.spec.containers[0].env.push({ name: 'PORT', value: '8080' });
    },
    message:
      'validation failed: "PORT" is a reserved environment variable: spec.template.spec.containers[0].env[7].name',
  },
];
