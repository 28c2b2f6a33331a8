// `npm start`: Jaeger, the backend and the frontend as real processes on this machine, as `func run`
// would run the functions, and the trace page that reads Jaeger. Ctrl-C or SIGTERM stops them all:
// the functions first, so that their last spans reach Jaeger, then the page and Jaeger.
// COUNTER_STORE=redis adds a redis-server of its own for the counter (Debian's, installed when
// missing), and BACKEND_REPLICAS=N then runs N backends behind one round-robin address.
import { relative } from 'node:path';
import { startFunctionProcess } from '../functions/run.ts';
import { ensureJaeger } from '../jaeger/binary.ts';
import { startJaeger } from '../jaeger/run.ts';
import { startRoundRobin } from '../local/round-robin.ts';
import { planStart, type StartPlan } from '../local/start-plan.ts';
import { startTracePage } from '../page/server.ts';
import { findFreePort } from '../processes/ports.ts';
import type { Child } from '../processes/process.ts';
import { ensureRedisServer, startRedis } from '../redis/server.ts';

interface Part {
  /** A process of its own; the page runs in this one. */
  child?: Child;
  stop(): Promise<void>;
}

/** Started parts, in start order: Jaeger first, then the page, the frontend last. */
const parts: Part[] = [];
let stopping = false;

async function stopAll(status: number): Promise<never> {
  stopping = true;
  // Stop in reverse start order, so that the functions flush their spans while Jaeger still runs.
  for (const part of [...parts].reverse()) await part.stop();
  process.exit(status);
}

async function launch(plan: StartPlan): Promise<string[]> {
  const env = { ...process.env, ...plan.functionEnv };
  const lines: string[] = [];
  if (plan.jaeger) {
    const binary = await ensureJaeger(process.env, (line) => console.log(line));
    const jaeger = await startJaeger(binary, { ports: plan.jaeger, echo: true, strategies: plan.samplingStrategies });
    parts.push(jaeger);
    env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger.otlpEndpoint;
    // The address every Jaeger user opens serves a placeholder here: a Jaeger built from Go modules
    // embeds no UI. Say so where the address is printed, and send them to the page.
    lines.push(`jaeger     ${jaeger.queryUrl}   Jaeger's query API; this build has no UI: open the page below`);
    lines.push(`otlp grpc  ${jaeger.otlpEndpoint}`);
    lines.push(`sampling   ${jaeger.samplingUrl}    strategies: ${relative(process.cwd(), plan.samplingStrategies)}`);
    const frontendUrl = `http://localhost:${plan.frontendPort}`;
    const page = await startTracePage({ port: plan.pagePort, jaegerUrl: jaeger.queryUrl, frontendUrl });
    parts.push({ stop: () => page.close() });
    lines.push(`page       ${page.url}    visits, diagnosis, traces`);
  }
  if (plan.redis) {
    await ensureRedisServer((line) => console.log(line));
    const redis = await startRedis({ port: plan.redis.port, echo: true });
    parts.push(redis);
    lines.push(`redis      ${redis.url}   the counter; without persistence, so it starts again with this Redis`);
  }
  const backendEnv = { ...env, ...plan.backendEnv };
  if (plan.startBackend && plan.backendReplicas === 1) {
    parts.push(await startFunctionProcess('backend', { port: plan.backendPort, env: backendEnv, echo: true }));
  } else if (plan.startBackend) {
    // Each on a port of its own, one round-robin address in front of them, as Knative puts replicas behind one URL.
    const urls: string[] = [];
    for (let replica = 0; replica < plan.backendReplicas; replica += 1) {
      const backend = await startFunctionProcess('backend', {
        port: await findFreePort(),
        env: backendEnv,
        echo: true,
      });
      parts.push(backend);
      urls.push(backend.url);
    }
    const proxy = await startRoundRobin(urls, plan.backendPort);
    parts.push({ stop: () => proxy.close() });
    lines.unshift(`           ${plan.backendReplicas} processes behind it, in turn: ${urls.join(' ')}`);
  }
  lines.unshift(`backend    ${plan.counterEndpoint}`);
  const frontendEnv = { ...env, COUNTER_ENDPOINT: plan.counterEndpoint };
  parts.push(await startFunctionProcess('frontend', { port: plan.frontendPort, env: frontendEnv, echo: true }));
  lines.unshift(`frontend   http://localhost:${plan.frontendPort}    try: curl localhost:${plan.frontendPort}`);
  return [...lines, ...plan.notes];
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping…`);
    void stopAll(0);
  });
}

try {
  const summary = await launch(planStart(process.env));
  console.log(['', ...summary, 'Ready. Ctrl-C stops everything.', ''].join('\n'));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

// Nothing should exit before we stop it: if something does, stop the rest and say so.
const children = parts.flatMap(({ child }) => (child ? [child] : []));
const gone = await Promise.race(children.map((child) => child.exited.then(() => child)));
if (!stopping) {
  console.error(`${gone.name} exited on its own: stopping the rest.`);
  await stopAll(1);
}
