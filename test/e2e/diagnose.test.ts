// npm run load and npm run diagnose against the real system and a real Jaeger: the diagnosis must
// name the step that was made slow, and only that one.
import test, { type ExecutionContext } from 'ava';
import type { Diagnosis } from '../../tools/diagnose/analyze.ts';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { startTestSystem } from '../helpers/system.ts';

async function npmRun(t: ExecutionContext, script: string, args: string[]) {
  const child = spawnChild(script, 'npm', ['run', script, '--silent', '--', ...args], { cwd: REPOSITORY_ROOT });
  t.teardown(() => child.stop('SIGKILL'));
  const { code } = await child.exited;
  return { code, output: child.output() };
}

/** Runs the load, which waits until Jaeger holds every visit's whole trace, then diagnoses. */
async function loadAndDiagnose(t: ExecutionContext, backendEnv: NodeJS.ProcessEnv, visits: number) {
  const { frontend, jaeger } = await startTestSystem(t, { backendEnv });
  if (!jaeger) throw new Error('tracing is on in this test');
  const args = ['--visits', String(visits), '--concurrency', '5', '--url', frontend.url, '--jaeger', jaeger.queryUrl];
  const load = await npmRun(t, 'load', args);
  t.is(load.code, 0, load.output);
  t.regex(load.output, new RegExp(`${visits} visits, ${visits} answered 200`));
  t.regex(load.output, new RegExp(`Visitor numbers: ${visits} from 1 to ${visits}, all distinct, no gaps`));
  t.regex(load.output, new RegExp(`^Traces: all ${visits} whole in Jaeger after `, 'm'));
  const diagnose = await npmRun(t, 'diagnose', ['--jaeger', jaeger.queryUrl, '--json', '--limit', String(visits)]);
  t.is(diagnose.code, 0, diagnose.output);
  return { diagnosis: JSON.parse(diagnose.output) as Diagnosis, jaeger };
}

test('with the default shape of lag (1 to 10 units), diagnose names simulate lag, varying widely', async (t) => {
  const { diagnosis, jaeger } = await loadAndDiagnose(t, { LAG_MIN_MS: '100', LAG_MAX_MS: '1000' }, 20);
  t.is(diagnosis.traces, 20);
  t.like(diagnosis.bottleneck, { service: 'backend', operation: 'simulate lag', variesWidely: true });
  t.true((diagnosis.bottleneck?.criticalPathShare ?? 0) > 0.5, JSON.stringify(diagnosis.bottleneck));

  const text = await npmRun(t, 'diagnose', ['--jaeger', jaeger.queryUrl]);
  t.is(text.code, 0, text.output);
  t.regex(text.output, /^Bottleneck: backend "simulate lag", \d+\.\d % of the critical path across 20 traces\.$/m);
  t.regex(text.output, /^Its duration varies widely \(p5 /m);
  t.regex(text.output, /^▶ backend +simulate lag +\S+ (ms|s) │/m);
});

test('with no lag, diagnose does not blame simulate lag', async (t) => {
  const { diagnosis } = await loadAndDiagnose(t, { LAG_MIN_MS: '0', LAG_MAX_MS: '0' }, 10);
  t.truthy(diagnosis.bottleneck);
  t.not(diagnosis.bottleneck?.operation, 'simulate lag');
});

test('with the read made slow on purpose, diagnose names the read', async (t) => {
  const { diagnosis } = await loadAndDiagnose(t, { LAG_MIN_MS: '0', LAG_MAX_MS: '0', READ_DELAY_MS: '300' }, 10);
  t.like(diagnosis.bottleneck, { service: 'backend', operation: 'read counter' });
});

test('diagnose says plainly when Jaeger is unreachable or has no traces, and exits 1', async (t) => {
  const nowhere = `http://127.0.0.1:${await findFreePort()}`;
  const unreachable = await npmRun(t, 'diagnose', ['--jaeger', nowhere]);
  t.is(unreachable.code, 1);
  t.regex(
    unreachable.output,
    new RegExp(
      `^Jaeger is unreachable: GET ${nowhere}/api/v3/traces\\?query\\.service_name=frontend&.*ECONNREFUSED`,
      'm',
    ),
  );

  const { jaeger } = await startTestSystem(t);
  if (!jaeger) throw new Error('tracing is on in this test');
  const empty = await npmRun(t, 'diagnose', ['--jaeger', jaeger.queryUrl, '--service', 'nobody']);
  t.is(empty.code, 1);
  t.regex(empty.output, /has no traces of service "nobody" in the last hour: make some visits first \(npm run load\)/);
});

test('load says when visits fail and exits 1; bad options exit 2', async (t) => {
  const nowhere = `http://127.0.0.1:${await findFreePort()}`;
  const failed = await npmRun(t, 'load', ['--visits', '3', '--url', nowhere]);
  t.is(failed.code, 1);
  t.regex(failed.output, /3 visits, 0 answered 200/);
  t.regex(failed.output, /Errors: 3 × no answer \(connect ECONNREFUSED/);
  t.regex(failed.output, /^Traces: not checked: no answer named its trace \(traceresponse header\)/m);
  const bad = await npmRun(t, 'load', ['--visits', 'many']);
  t.is(bad.code, 2);
  t.regex(bad.output, /--visits is "many"/);
});
