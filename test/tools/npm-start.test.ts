// The README's `npm start`, run for real (on free ports), then stopped the way Ctrl-C stops it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { fetchTraces } from '../../tools/jaeger/query.ts';
import { JAEGER_PORT_VARIABLES } from '../../tools/jaeger/run.ts';
import { planStart } from '../../tools/local/start-plan.ts';
import { findFreePort, onFreePorts } from '../../tools/processes/ports.ts';
import { spawnChild, waitFor } from '../../tools/processes/process.ts';
import { redisCommand } from '../../tools/redis/client.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { baseEnv } from '../helpers/system.ts';

/** The ports `npm start` takes when no variable moves them, by variable. */
function defaultPorts(): Record<string, number> {
  const plan = planStart({});
  if (!plan.jaeger) throw new Error('npm start with no variables starts a Jaeger');
  const jaeger = plan.jaeger;
  return {
    FRONTEND_PORT: plan.frontendPort,
    BACKEND_PORT: plan.backendPort,
    PAGE_PORT: plan.pagePort,
    ...Object.fromEntries(
      Object.entries(JAEGER_PORT_VARIABLES).map(([key, variable]) => [variable, jaeger[key as keyof typeof jaeger]]),
    ),
  };
}

/** The README's block after "Then it prints where everything listens:", a line each. */
async function readmeBanner(): Promise<string[]> {
  const readme = await readFile(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const block = /Then it prints where everything listens:\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no block after "Then it prints where everything listens:"');
  return block.trimEnd().split('\n');
}

test('npm start runs all three, a curl gets a whole trace, and Ctrl-C stops everything', async (t) => {
  const launch = async () => {
    const ports = {
      FRONTEND_PORT: await findFreePort(),
      BACKEND_PORT: await findFreePort(),
      JAEGER_OTLP_GRPC_PORT: await findFreePort(),
      JAEGER_OTLP_HTTP_PORT: await findFreePort(),
      JAEGER_QUERY_PORT: await findFreePort(),
      JAEGER_QUERY_GRPC_PORT: await findFreePort(),
      JAEGER_HEALTH_PORT: await findFreePort(),
      JAEGER_METRICS_PORT: await findFreePort(),
      JAEGER_SAMPLING_PORT: await findFreePort(),
      PAGE_PORT: await findFreePort(),
    };
    const env = baseEnv({
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      LAG_MIN_MS: '0',
      LAG_MAX_MS: '200',
    });
    const npm = spawnChild('npm start', 'npm', ['start'], { cwd: REPOSITORY_ROOT, env });
    t.teardown(() => npm.stop('SIGKILL'));
    await waitFor('npm start to be ready', async () => (npm.output().includes('Ready.') ? true : undefined), {
      timeoutMs: 60_000,
      child: npm,
    });
    return { ports, env, npm };
  };
  const { ports, env, npm } = await onFreePorts(launch);
  // The banner, with the default ports back in, is the README's, line for line.
  const byVariable = defaultPorts();
  const defaults = new Map(Object.entries(ports).map(([name, port]) => [String(port), byVariable[name]]));
  const banner = npm
    .output()
    .split('\n')
    .filter((line) => /^(frontend|backend|jaeger|otlp grpc|sampling|page) +http|^Ready\./.test(line))
    .map((line) => line.replace(/localhost:(\d+)/g, (_, port: string) => `localhost:${defaults.get(port) ?? port}`));
  t.deepEqual(banner, await readmeBanner());
  t.regex(npm.output(), new RegExp(`frontend +http://localhost:${ports.FRONTEND_PORT}`));
  t.regex(npm.output(), new RegExp(`jaeger +http://localhost:${ports.JAEGER_QUERY_PORT}`));
  t.regex(npm.output(), new RegExp(`^page +http://localhost:${ports.PAGE_PORT} +visits, diagnosis, traces$`, 'm'));
  t.regex(
    npm.output(),
    new RegExp(
      `^sampling +http://localhost:${ports.JAEGER_SAMPLING_PORT} +strategies: tools/jaeger/sampling-strategies\\.json$`,
      'm',
    ),
  );

  const response = await fetch(`http://localhost:${ports.FRONTEND_PORT}`);
  t.regex(await response.text(), /You're visitor number 1 in here!/);
  const trace = await waitForTrace(
    `http://localhost:${ports.JAEGER_QUERY_PORT}`,
    traceIdOf(response.headers.get('traceresponse')),
    8,
  );
  t.is(trace.spans.length, 8);

  // The README's next step: draw that visit's trace.
  const draw = spawnChild(
    'npm run trace',
    'npm',
    ['run', 'trace', '--silent', '--', '--jaeger', `http://localhost:${ports.JAEGER_QUERY_PORT}`],
    {
      cwd: REPOSITORY_ROOT,
      env,
    },
  );
  t.is((await draw.exited).code, 0, draw.output());
  t.regex(draw.output(), new RegExp(`^Trace ${trace.traceID} .* 8 spans`, 'm'));
  t.regex(draw.output(), /backend +simulate lag +\S+ (µs|ms|s) │ *█+ *│/);

  // Then the walk-through that finds the slow step: a load, and the diagnosis.
  const run = async (script: string, args: string[]) => {
    const child = spawnChild(`npm run ${script}`, 'npm', ['run', script, '--silent', '--', ...args], {
      cwd: REPOSITORY_ROOT,
      env,
    });
    t.teardown(() => child.stop('SIGKILL'));
    return { code: (await child.exited).code, output: child.output() };
  };
  const jaegerUrl = `http://localhost:${ports.JAEGER_QUERY_PORT}`;
  const load = await run('load', [
    '--visits',
    '6',
    '--concurrency',
    '3',
    '--url',
    `http://localhost:${ports.FRONTEND_PORT}`,
    '--jaeger',
    jaegerUrl,
  ]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, /Visitor numbers: 6 from 2 to 7, all distinct, no gaps/);
  t.regex(load.output, /^Traces: all 6 whole in Jaeger after /m);
  await waitFor(
    'the seven visits in Jaeger',
    async () => ((await fetchTraces(jaegerUrl, 'frontend', 20)).length >= 7 ? true : undefined),
    { timeoutMs: 20_000, intervalMs: 250 },
  );
  const diagnosis = await run('diagnose', ['--jaeger', jaegerUrl]);
  t.is(diagnosis.code, 0, diagnosis.output);
  t.regex(diagnosis.output, /^Diagnosis of \d+ traces from /m);
  t.regex(diagnosis.output, /^Bottleneck: /m);

  // The page beside them reads the same Jaeger and names the same step.
  const page = (await (await fetch(`http://localhost:${ports.PAGE_PORT}/api/diagnosis`)).json()) as {
    verdict: string[];
  };
  t.true(diagnosis.output.includes(page.verdict[0] ?? 'no verdict'), page.verdict[0]);

  // A terminal's Ctrl-C signals the whole foreground process group.
  process.kill(-(npm.process.pid ?? 0), 'SIGINT');
  const exit = await npm.exited;
  // npm itself dies of the SIGINT, as in a terminal; our starter goes on to stop every part in order.
  t.true(exit.code === 0 || exit.signal === 'SIGINT', JSON.stringify(exit));
  t.regex(npm.output(), /SIGINT: stopping/);
  // The README's line of each function as it stops: seven visits, three spans each in the frontend, five in the backend.
  await waitFor(
    'the functions to have said what they sent',
    async () => (npm.output().match(/Spans at exit/g)?.length === 2 ? true : undefined),
    { timeoutMs: 15_000 },
  );
  t.regex(npm.output(), /Spans at exit: 21 ended, 21 sent to the collector in \d+ exports?\./);
  t.regex(npm.output(), /Spans at exit: 35 ended, 35 sent to the collector in \d+ exports?\./);
  const refused = async (port: number) => {
    try {
      await fetch(`http://localhost:${port}/`);
      return undefined;
    } catch {
      return true;
    }
  };
  for (const port of [ports.FRONTEND_PORT, ports.BACKEND_PORT, ports.JAEGER_QUERY_PORT, ports.PAGE_PORT]) {
    t.true(await waitFor(`port ${port} to close`, () => refused(port), { timeoutMs: 15_000 }));
  }
});

test('COUNTER_STORE=redis BACKEND_REPLICAS=2 npm start: its own redis-server, two backends behind one address, one count', async (t) => {
  const launch = async () => {
    const names = ['FRONTEND_PORT', 'BACKEND_PORT', 'REDIS_PORT', 'PAGE_PORT', ...Object.values(JAEGER_PORT_VARIABLES)];
    const ports = Object.fromEntries(
      await Promise.all(names.map(async (name) => [name, await findFreePort()] as const)),
    );
    const env = baseEnv({
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      COUNTER_STORE: 'redis',
      BACKEND_REPLICAS: '2',
      LAG_MIN_MS: '0',
      LAG_MAX_MS: '0',
    });
    const npm = spawnChild('npm start', 'npm', ['start'], { cwd: REPOSITORY_ROOT, env });
    t.teardown(() => npm.stop('SIGKILL'));
    await waitFor('npm start to be ready', async () => (npm.output().includes('Ready.') ? true : undefined), {
      timeoutMs: 60_000,
      child: npm,
    });
    return { ports, npm };
  };
  const { ports, npm } = await onFreePorts(launch);
  const port = (name: string) => ports[name] ?? 0;
  t.regex(npm.output(), new RegExp(`^redis +redis://127\\.0\\.0\\.1:${port('REDIS_PORT')} `, 'm'));
  t.regex(
    npm.output(),
    new RegExp(`^backend +http://localhost:${port('BACKEND_PORT')}\\n +2 processes behind it, in turn: `, 'm'),
  );
  t.regex(npm.output(), /\[backend\] backend: The counter store is Redis at redis:\/\/127\.0\.0\.1:\d+: ready\./);

  const visitors: string[] = [];
  for (let visit = 0; visit < 4; visit += 1) {
    const text = await (await fetch(`http://localhost:${port('FRONTEND_PORT')}`)).text();
    visitors.push(/visitor number (\d+)/.exec(text)?.[1] ?? text);
  }
  t.deepEqual(visitors, ['1', '2', '3', '4'], 'two backends, one count');
  t.is(await redisCommand(port('REDIS_PORT'), 'GET', 'knative-tracing-counter:visits'), '5');

  process.kill(-(npm.process.pid ?? 0), 'SIGINT');
  await npm.exited;
  const refused = async (at: number) => {
    try {
      await redisCommand(at, 'PING');
      return undefined;
    } catch {
      return true;
    }
  };
  for (const name of ['FRONTEND_PORT', 'BACKEND_PORT', 'REDIS_PORT']) {
    t.true(await waitFor(`${name} to close`, () => refused(port(name)), { timeoutMs: 15_000 }), name);
  }
});
