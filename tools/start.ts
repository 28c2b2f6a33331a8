// `npm start`: Jaeger, the backend and the frontend as real processes on this machine, as `func run`
// would run the functions. Ctrl-C or SIGTERM stops them all: the functions first, so that their
// last spans reach Jaeger, then Jaeger.
import { type FunctionName, type RunningFunction, startFunctionProcess } from './functions.ts';
import { ensureJaeger } from './jaeger/binary.ts';
import { type RunningJaeger, startJaeger } from './jaeger/run.ts';
import type { Child } from './process.ts';
import { BACKEND_PORT, FRONTEND_PORT, planStart } from './start-plan.ts';

const plan = planStart(process.env);
const functions: RunningFunction[] = [];
let jaeger: RunningJaeger | undefined;
let stopping = false;

async function stopAll(status: number): Promise<never> {
  stopping = true;
  await Promise.all(functions.map((running) => running.stop()));
  await jaeger?.stop();
  process.exit(status);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.log(`\n${signal}: stopping…`);
    void stopAll(0);
  });
}

try {
  const env = { ...process.env };
  if (plan.startJaeger) {
    const binary = await ensureJaeger(process.env, (line) => console.log(line));
    jaeger = await startJaeger(binary, { echo: true });
    env.OTEL_EXPORTER_OTLP_ENDPOINT = jaeger.otlpEndpoint;
  }
  const start = async (name: FunctionName, port: number, extra: NodeJS.ProcessEnv = {}) => {
    functions.push(await startFunctionProcess(name, { port, env: { ...env, ...extra }, echo: true }));
  };
  if (plan.startBackend) await start('backend', BACKEND_PORT);
  await start('frontend', FRONTEND_PORT, { COUNTER_ENDPOINT: plan.counterEndpoint });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

console.log('');
console.log(`frontend   http://localhost:${FRONTEND_PORT}    try: curl localhost:${FRONTEND_PORT}`);
console.log(`backend    ${plan.counterEndpoint}`);
if (jaeger) {
  console.log(`jaeger     ${jaeger.queryUrl}   traces: ${jaeger.queryUrl}/api/traces?service=frontend`);
  console.log(`otlp grpc  ${jaeger.otlpEndpoint}`);
}
for (const note of plan.notes) console.log(note);
console.log('Ctrl-C stops everything.\n');

// Nothing should exit before we stop it: if something does, stop the rest and say so.
const children: Child[] = [...functions.map((running) => running.child), ...(jaeger ? [jaeger.child] : [])];
const gone = await Promise.race(children.map((child) => child.exited.then(() => child)));
if (!stopping) {
  console.error(`${gone.name} exited on its own: stopping the rest.`);
  await stopAll(1);
}
