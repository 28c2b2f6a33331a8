// docs/sampling.md's commands as written (on free ports, with a shorter lag): npm start sampling a
// tenth of the visits, by a ratio or by Jaeger's strategy, then npm run load, which waits for the
// sampled visits' traces only and says how many there were, then npm run diagnose, which still names
// the slow step and says how many visits its traces stand for. One at a time: each npm start builds.
import test, { type ExecutionContext } from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { findFreePort, onFreePorts } from '../../tools/processes/ports.ts';
import { spawnChild, waitFor } from '../../tools/processes/process.ts';
import { strategiesFile } from '../helpers/strategies.ts';
import { baseEnv } from '../helpers/system.ts';

const PORTS = [
  'FRONTEND_PORT',
  'BACKEND_PORT',
  'PAGE_PORT',
  'JAEGER_OTLP_GRPC_PORT',
  'JAEGER_OTLP_HTTP_PORT',
  'JAEGER_QUERY_PORT',
  'JAEGER_QUERY_GRPC_PORT',
  'JAEGER_HEALTH_PORT',
  'JAEGER_METRICS_PORT',
  'JAEGER_SAMPLING_PORT',
];
const VISITS = 200;

/** `npm start` with `env`, on free ports, until it is ready; stopped in teardown. */
async function npmStart(t: ExecutionContext, env: NodeJS.ProcessEnv) {
  return onFreePorts(async () => {
    const ports = Object.fromEntries(
      await Promise.all(PORTS.map(async (name) => [name, String(await findFreePort())])),
    );
    const npm = spawnChild('npm start', 'npm', ['start'], {
      cwd: REPOSITORY_ROOT,
      env: baseEnv({ ...ports, ...env, LAG_MIN_MS: '100', LAG_MAX_MS: '1000' }),
    });
    // As Ctrl-C does: npm and its starter, which stops the functions and Jaeger it started.
    t.teardown(async () => {
      if (npm.hasExited()) return;
      process.kill(-(npm.process.pid ?? 0), 'SIGINT');
      await npm.stop('SIGKILL', 20_000);
    });
    await waitFor('npm start to be ready', async () => (npm.output().includes('Ready.') ? true : undefined), {
      timeoutMs: 90_000,
      child: npm,
    });
    return {
      npm,
      url: `http://localhost:${ports.FRONTEND_PORT}`,
      jaeger: `http://localhost:${ports.JAEGER_QUERY_PORT}`,
    };
  });
}

async function npmRun(t: ExecutionContext, script: string, args: string[]) {
  const child = spawnChild(`npm run ${script}`, 'npm', ['run', script, '--silent', '--', ...args], {
    cwd: REPOSITORY_ROOT,
    env: baseEnv(),
  });
  t.teardown(() => child.stop('SIGKILL'));
  return { code: (await child.exited).code, output: child.output() };
}

async function loadAndDiagnose(t: ExecutionContext, started: { url: string; jaeger: string }) {
  const load = await npmRun(t, 'load', [
    '--visits',
    String(VISITS),
    '--concurrency',
    '20',
    '--url',
    started.url,
    '--jaeger',
    started.jaeger,
  ]);
  t.is(load.code, 0, load.output);
  t.regex(load.output, new RegExp(`^${VISITS} visits, ${VISITS} answered 200$`, 'm'));
  const sampled = new RegExp(
    `^Sampled: (\\d+) of ${VISITS} visits \\([\\d.]+ %\\), by their traceresponse's flags; the other \\d+ made no trace$`,
    'm',
  ).exec(load.output);
  t.truthy(sampled, load.output);
  const count = Number(sampled?.[1]);
  // Binomial(200, 0.1): mean 20, σ 4.2; five σ either side, and at least one to diagnose.
  t.true(count >= 1 && count <= 41, `${count} of ${VISITS} sampled`);
  t.regex(load.output, new RegExp(`^Traces: all ${count} whole in Jaeger after `, 'm'), 'waited for the sampled only');

  const diagnose = await npmRun(t, 'diagnose', ['--jaeger', started.jaeger]);
  t.is(diagnose.code, 0, diagnose.output);
  t.regex(diagnose.output, new RegExp(`^Diagnosis of ${count} traces from `, 'm'));
  t.regex(diagnose.output, /^Bottleneck: backend "simulate lag", [\d.]+ % of the critical path across \d+ traces\.$/m);
  t.regex(
    diagnose.output,
    new RegExp(
      `^These ${count} traces stand for about ${10 * count} visits: their root spans were sampled at 10 % \\(sampler\\.param\\)\\.$`,
      'm',
    ),
  );
  t.log(`${count} of ${VISITS} visits sampled; diagnose: ${/^These .*$/m.exec(diagnose.output)?.[0]}`);
}

test.serial(
  'OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1 npm start, load, diagnose',
  async (t) => {
    t.timeout(180_000);
    const started = await npmStart(t, {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    await loadAndDiagnose(t, started);
  },
);

test.serial(
  "OTEL_TRACES_SAMPLER=parentbased_jaeger_remote npm start, with Jaeger's strategy at 0.1: load, diagnose",
  async (t) => {
    t.timeout(180_000);
    const strategies = await strategiesFile(t, 0.1);
    const started = await npmStart(t, {
      OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
      JAEGER_SAMPLING_STRATEGIES: strategies.path,
    });
    t.regex(started.npm.output(), /^sampling +http:\/\/localhost:\d+ +strategies: /m);
    await loadAndDiagnose(t, started);
  },
);
