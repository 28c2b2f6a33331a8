// The command line of `npm run deploy`, read once: a bad or missing option is a UsageError (exit 2).
import { parseArgs } from 'node:util';
import { FlagValueError, parseWholeNumberFlag } from '../cli/flags.ts';
import { COUNTER_STORE_MODES, type CounterStoreMode } from '../knative/manifests.ts';
import { IMAGE_PREFIX } from './plan.ts';

export const USAGE =
  'usage: npm run deploy -- --registry REGISTRY [--jaeger-image IMAGE] [--timeout SECONDS] | --dry-run [--registry REGISTRY] [--jaeger-image IMAGE] | --delete [--timeout SECONDS]' +
  '; each with [--counter-store memory|redis] [--redis-image IMAGE]';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface DeployOptions {
  mode: 'apply' | 'dry-run' | 'delete' | 'help';
  registry: string | undefined;
  /** Jaeger's image where the cluster cannot pull jaeger/10-deployment.yaml's (a mirror, or dev.local here). */
  jaegerImage: string | undefined;
  /** One deadline for every Knative Service to become Ready. */
  timeoutSeconds: number;
  /** memory (knative/ as it is) or redis (redis/: Redis, and the backend's Service for it). */
  counterStore: CounterStoreMode;
  /** Redis's image where the cluster cannot pull redis/deployment.yaml's. */
  redisImage: string | undefined;
}

export function parseDeployOptions(argv: readonly string[]): DeployOptions {
  let values: {
    'dry-run': boolean;
    delete: boolean;
    registry?: string | undefined;
    'jaeger-image'?: string | undefined;
    timeout: string;
    'counter-store': string;
    'redis-image'?: string | undefined;
    help: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'dry-run': { type: 'boolean', default: false },
        delete: { type: 'boolean', default: false },
        registry: { type: 'string' },
        'jaeger-image': { type: 'string' },
        timeout: { type: 'string', default: '300' },
        'counter-store': { type: 'string', default: 'memory' },
        'redis-image': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  let timeoutSeconds: number;
  try {
    timeoutSeconds = parseWholeNumberFlag('timeout', values.timeout, { unit: 'seconds' });
  } catch (error) {
    if (!(error instanceof FlagValueError)) throw error;
    throw new UsageError(`${error.message}\n${USAGE}`);
  }
  const counterStore = COUNTER_STORE_MODES.find((known) => known === values['counter-store']);
  if (counterStore === undefined) {
    throw new UsageError(
      `--counter-store is "${values['counter-store']}": expected ${COUNTER_STORE_MODES.join(' or ')}\n${USAGE}`,
    );
  }
  const mode = values.help ? 'help' : values['dry-run'] ? 'dry-run' : values.delete ? 'delete' : 'apply';
  // The manifests name placeholder images that no cluster can pull: applying them would only wait
  // for a pull that cannot work.
  if (mode === 'apply' && values.registry === undefined) {
    throw new UsageError(
      `--registry is required: ${IMAGE_PREFIX}backend and ${IMAGE_PREFIX}frontend are placeholder images ` +
        'that no cluster can pull; push the images to your registry and name it, e.g. --registry registry.example/you ' +
        '(--dry-run shows the plan without it).',
    );
  }
  return {
    mode,
    registry: values.registry,
    jaegerImage: values['jaeger-image'],
    timeoutSeconds,
    counterStore,
    redisImage: values['redis-image'],
  };
}
