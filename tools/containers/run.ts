// Runs a function's image as Knative runs its container: the manifest's security context, memory
// limit and environment, PORT=8080 and the K_* variables, in a network namespace of its own.
// slirp4netns gives that namespace a way to the host's loopback only (10.0.2.2) and publishes the
// container's 8080 on 127.0.0.1: no traffic leaves this machine's loopback.
import { REQUEST_PROBE_FILE } from '../faults/in-flight.ts';
import { type FunctionName, type RunningFunction, waitForFunctionOutput } from '../functions/run.ts';
import { type Child, spawnChild, waitForHttp } from '../processes/process.ts';
import { imageName } from './images.ts';
import { knativeVariables, manifestContainer, podmanMemory, securityFlags } from './knative-container.ts';
import { GLOBAL_FLAGS, podman, ULIMITS } from './podman.ts';

/** What the container's namespace calls the host's loopback (slirp4netns with allow_host_loopback). */
export const HOST_FROM_CONTAINER = '10.0.2.2';
const CONTAINER_PORT = 8080;
const PROBE_IN_CONTAINER = '/opt/request-probe.ts';

/** The variables the functions read; the rest of the caller's environment stays outside. */
const FUNCTION_VARIABLE = /^(OTEL_|LAG_|READ_DELAY_MS$|COUNTER_ENDPOINT$|BACKEND_TIMEOUT_MS$)/;

/** The caller's function variables, with URLs of this machine's loopback as the container reaches it. */
export function containerEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const chosen: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !FUNCTION_VARIABLE.test(name)) continue;
    chosen[name] = value.replace(/^(https?:\/\/)(localhost|127\.0\.0\.1)(?=[:/]|$)/, `$1${HOST_FROM_CONTAINER}`);
  }
  return chosen;
}

export interface ContainerOptions {
  /** Where the container's port 8080 is published, on 127.0.0.1. */
  port: number;
  /** The function's variables (see containerEnvironment); the manifest's env fills the rest. */
  env: NodeJS.ProcessEnv;
  /**
   * The Jaeger the manifest's remote sampler asks for its strategy, in place of the manifest's (the
   * cluster's, which is not here): the endpoint of OTEL_TRACES_SAMPLER_ARG, the rest as written.
   */
  samplingEndpoint?: string;
  /** false runs without the manifest's memory limit, for comparison. */
  memoryLimit?: boolean;
  echo?: boolean;
  timeoutMs?: number;
  /**
   * Mount tools/faults/request-probe.ts read-only and preload it: the container then reports each
   * request it receives, for tests that must act while requests are in flight.
   */
  requestProbe?: boolean;
}

export interface RunningContainer extends RunningFunction {
  containerName: string;
  /** SIGTERM is `podman stop` (SIGTERM, then SIGKILL after 30 s, as Kubernetes' grace period); SIGKILL removes it at once. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The container's exit status, once it has exited. */
  readonly exited: Child['exited'];
}

/** The full `podman run` command line for the function's container. */
export async function containerArguments(name: FunctionName, containerName: string, options: ContainerOptions) {
  const container = await manifestContainer(name);
  const port = container.ports?.[0]?.containerPort ?? CONTAINER_PORT;
  const limit = container.resources?.limits?.memory;
  const env: Record<string, string> = {
    ...Object.fromEntries((container.env ?? []).map(({ name: variable, value }) => [variable, value])),
    ...containerEnvironment(options.env),
    ...knativeVariables(name, port),
  };
  const samplingArg = env.OTEL_TRACES_SAMPLER_ARG;
  if (options.samplingEndpoint && samplingArg?.includes('endpoint=')) {
    const endpoint = containerEnvironment({
      OTEL_TRACES_SAMPLER_ARG: options.samplingEndpoint,
    }).OTEL_TRACES_SAMPLER_ARG;
    env.OTEL_TRACES_SAMPLER_ARG = samplingArg.replace(/endpoint=[^,]*/, `endpoint=${endpoint}`);
  }
  // The probe is one more Node option, after the manifest's own (its V8 settings stay as they are).
  if (options.requestProbe) {
    env.NODE_OPTIONS = [env.NODE_OPTIONS, `--import=${PROBE_IN_CONTAINER}`].filter(Boolean).join(' ');
  }
  return [
    'run',
    '--rm',
    '--name',
    containerName,
    '--network',
    'slirp4netns:allow_host_loopback=true',
    '--publish',
    `127.0.0.1:${options.port}:${port}`,
    ...ULIMITS,
    ...securityFlags(container.securityContext),
    ...(limit && options.memoryLimit !== false
      ? ['--memory', podmanMemory(limit), '--memory-swap', podmanMemory(limit)]
      : []),
    ...(options.requestProbe ? ['--volume', `${REQUEST_PROBE_FILE}:${PROBE_IN_CONTAINER}:ro`] : []),
    ...Object.entries(env).flatMap(([variable, value]) => ['--env', `${variable}=${value}`]),
    await imageName(name),
  ];
}

export interface SpawnedContainer {
  child: Child;
  containerName: string;
  /** Removes the container at once (SIGKILL) and waits for `podman run` to end. */
  remove(): Promise<void>;
}

/** Starts `podman run` for the function's container, without waiting for anything. */
export async function spawnFunctionContainer(name: FunctionName, options: ContainerOptions): Promise<SpawnedContainer> {
  const containerName = `knative-tracing-counter-${name}-${options.port}`;
  await podman(['rm', '--force', '--ignore', containerName]);
  const args = await containerArguments(name, containerName, options);
  const child = spawnChild(`${name} (container)`, 'podman', [...GLOBAL_FLAGS, ...args], { echo: options.echo });
  const remove = async () => {
    await podman(['rm', '--force', '--time', '0', '--ignore', containerName]);
    await child.stop('SIGKILL', 5000);
  };
  return { child, containerName, remove };
}

/** Starts the function's container and waits until it says it listens and its readiness endpoint answers. */
export async function startFunctionContainer(name: FunctionName, options: ContainerOptions): Promise<RunningContainer> {
  const { child, containerName, remove } = await spawnFunctionContainer(name, options);
  const url = `http://localhost:${options.port}`;
  try {
    const timeoutMs = options.timeoutMs ?? 30_000;
    await waitForFunctionOutput(child, `http://localhost:${CONTAINER_PORT}`, timeoutMs);
    await waitForHttp(`${url}/health/readiness`, { timeoutMs, child });
  } catch (error) {
    await remove();
    throw error;
  }
  return {
    child,
    url,
    containerName,
    exited: child.exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.hasExited()) return;
      if (signal === 'SIGKILL') return remove();
      await podman(['stop', '--time', '30', containerName]);
      await child.exited;
    },
  };
}
