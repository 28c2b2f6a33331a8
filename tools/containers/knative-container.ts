// What a Knative Service in knative/ gives its container, as podman flags: the security context,
// the memory limit, the environment, PORT and the K_* variables Knative sets. Read from the manifest,
// so that the containers the tests run are the containers the manifests describe.
import { join } from 'node:path';
import type { FunctionName } from '../functions/run.ts';
import { REPOSITORY_ROOT } from '../functions/run.ts';
import { readManifests } from '../knative/manifests.ts';

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[]; add?: string[] };
  seccompProfile?: { type: string };
}

export interface KnativeContainer {
  name: string;
  image: string;
  ports?: { containerPort: number }[];
  env?: { name: string; value: string }[];
  resources?: { limits?: { memory?: string } };
  securityContext?: SecurityContext;
}

export class ContainerSpecError extends Error {
  override name = 'ContainerSpecError';
}

/** The one container of knative/<name>.yaml. */
export async function manifestContainer(name: FunctionName): Promise<KnativeContainer> {
  const manifests = await readManifests(join(REPOSITORY_ROOT, 'knative'));
  const service = manifests.find(({ object }) => object.kind === 'Service' && object.metadata.name === name);
  const spec = service?.object.spec as { template?: { spec?: { containers?: KnativeContainer[] } } } | undefined;
  const container = spec?.template?.spec?.containers?.[0];
  if (!container) throw new ContainerSpecError(`knative/ has no Service ${name} with a container`);
  return container;
}

/** What a function's container gets from its manifest that changes how Node runs: the memory limit and NODE_OPTIONS. */
export interface ContainerLimits {
  memoryBytes: number;
  env: NodeJS.ProcessEnv;
}

export async function containerLimits(name: FunctionName): Promise<ContainerLimits> {
  const container = await manifestContainer(name);
  const limit = container.resources?.limits?.memory;
  if (!limit) throw new ContainerSpecError(`knative/${name}.yaml sets no memory limit`);
  const nodeOptions = container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value;
  return { memoryBytes: memoryBytes(limit), env: nodeOptions ? { NODE_OPTIONS: nodeOptions } : {} };
}

/** Kubernetes quantities of memory as podman takes them: 256Mi is 256 MiB. */
export function podmanMemory(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new ContainerSpecError(`memory quantity "${quantity}" is not one this runner knows`);
  const unit = { Ki: 'k', Mi: 'm', Gi: 'g' }[match[2] ?? ''] ?? 'b';
  return `${match[1]}${unit}`;
}

/** Kubernetes quantities of memory in bytes: 256Mi is 268,435,456. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new ContainerSpecError(`memory quantity "${quantity}" is not one this runner knows`);
  return Number(match[1]) * ({ Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[match[2] ?? ''] ?? 1);
}

/**
 * The container's securityContext as podman flags. Every field is translated or refused: a field
 * added to the manifests cannot be silently left out of what the tests run.
 */
export function securityFlags(context: SecurityContext = {}): string[] {
  const flags: string[] = [];
  for (const [field, value] of Object.entries(context)) {
    switch (field) {
      case 'runAsNonRoot':
        if (value === true && !context.runAsUser) {
          throw new ContainerSpecError('runAsNonRoot without runAsUser: podman would take the image USER unchecked');
        }
        break;
      case 'runAsUser':
        flags.push('--user', String(value));
        break;
      case 'allowPrivilegeEscalation':
        if (value === false) flags.push('--security-opt', 'no-new-privileges');
        break;
      // Kubernetes mounts nothing writable over a read-only root unless a volume says so; podman
      // would add tmpfs on /tmp, /run and /var/tmp unless told not to.
      case 'readOnlyRootFilesystem':
        if (value === true) flags.push('--read-only', '--read-only-tmpfs=false');
        break;
      case 'capabilities':
        for (const capability of context.capabilities?.drop ?? []) flags.push('--cap-drop', capability.toLowerCase());
        for (const capability of context.capabilities?.add ?? []) flags.push('--cap-add', capability.toLowerCase());
        break;
      // RuntimeDefault is podman's default seccomp profile too.
      case 'seccompProfile':
        if (context.seccompProfile?.type !== 'RuntimeDefault') {
          throw new ContainerSpecError(`seccompProfile ${context.seccompProfile?.type} is not one this runner knows`);
        }
        break;
      default:
        throw new ContainerSpecError(`securityContext.${field} is not translated to podman by this runner`);
    }
  }
  return flags;
}

/** The variables Knative sets in every container of a Service's first revision. */
export function knativeVariables(service: string, port: number): Record<string, string> {
  return {
    PORT: String(port),
    K_SERVICE: service,
    K_CONFIGURATION: service,
    K_REVISION: `${service}-00001`,
  };
}
