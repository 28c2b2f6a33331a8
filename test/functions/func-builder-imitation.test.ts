// An imitation of what `func deploy`'s pack builder does with a function folder, since neither func
// nor buildpacks run here: the folder copied alone into an empty directory (it is the whole build
// context), installed, bundled (BP_NODE_RUN_SCRIPTS=build), pruned, then started by its package.json
// start script; it must answer, traced. The container image is not imitated: test/containers builds
// the real one from its Dockerfile.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type FunctionName, functionDirectory, waitForFunction } from '../../tools/functions/run.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestJaeger } from '../helpers/system.ts';

/** Copies the function folder alone (as a build context holds it), builds it and keeps production dependencies. */
async function buildAlone(t: ExecutionContext, name: FunctionName): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), `func-builder-${name}-`));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  await cp(functionDirectory(name), scratch, {
    recursive: true,
    filter: (source) => !source.includes('node_modules') && !source.includes('/dist'),
  });
  // As func's builder (BP_NODE_RUN_SCRIPTS=build) does: install, bundle, prune.
  for (const args of [
    ['ci', '--no-audit', '--no-fund'],
    ['run', 'build'],
    ['prune', '--omit=dev', '--no-audit', '--no-fund'],
  ]) {
    const npm = spawnChild(`npm ${args[0]}`, 'npm', args, { cwd: scratch });
    t.is((await npm.exited).code, 0, npm.output());
  }
  t.true(existsSync(join(scratch, 'dist', 'tracing.mjs')), 'the telemetry bundle was built');
  t.false(existsSync(join(scratch, 'node_modules', 'esbuild')), 'build tools are pruned');
  return scratch;
}

/** What func's pack builder launches: package.json's start script. */
async function startScript(folder: string): Promise<string[]> {
  const packageJson = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  return packageJson.scripts.start.split(' ');
}

async function launch(t: ExecutionContext, name: string, folder: string, command: string[], env: NodeJS.ProcessEnv) {
  const [program, ...args] = command;
  t.is(program, 'node', 'started as node itself, so that signals reach it');
  const port = await findFreePort();
  const child = spawnChild(name, process.execPath, args, {
    cwd: folder,
    env: { ...env, FUNC_PORT: String(port), PORT: String(port) },
  });
  t.teardown(() => child.stop('SIGKILL'));
  await waitForFunction(child, `http://localhost:${port}`, 20_000);
  return `http://localhost:${port}`;
}

test('each function folder alone installs, builds and starts as func starts it, and answers, traced', async (t) => {
  const [backendFolder, frontendFolder, jaeger] = await Promise.all([
    buildAlone(t, 'backend'),
    buildAlone(t, 'frontend'),
    startTestJaeger(t),
  ]);
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backend = await launch(
    t,
    'backend (func)',
    backendFolder,
    await startScript(backendFolder),
    baseEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '10' }),
  );
  const frontend = await launch(
    t,
    'frontend (func)',
    frontendFolder,
    await startScript(frontendFolder),
    baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend }),
  );
  const response = await fetch(frontend);
  t.regex(await response.text(), /^Hello, World!\n\nYou're visitor number 1 in here!\n\n$/);
  const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 8);
  t.is(trace.spans.length, 8, 'one whole trace');
});
