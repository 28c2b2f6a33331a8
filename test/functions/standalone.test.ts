// Each function folder is a build context of its own (func deploy, docker build): copied alone into
// an empty directory and installed the way the builders do, it must start and answer, traced.
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type FunctionName, functionDirectory, waitForFunction } from '../../tools/functions.ts';
import { findFreePort } from '../../tools/ports.ts';
import { spawnChild } from '../../tools/process.ts';
import { traceIdOf, waitForTrace } from '../helpers/jaeger-api.ts';
import { baseEnv, startTestJaeger } from '../helpers/system.ts';

/** Copies the function folder alone (as a build context holds it), builds it and keeps production dependencies. */
async function buildAlone(t: ExecutionContext, name: FunctionName): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), `standalone-${name}-`));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  await cp(functionDirectory(name), scratch, {
    recursive: true,
    filter: (source) => !source.includes('node_modules') && !source.includes('/dist'),
  });
  // As the Dockerfile and func's builder (BP_NODE_RUN_SCRIPTS=build) do: install, bundle, prune.
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

/** The builders' launch commands: package.json's start script (func's pack builder), the Dockerfile's CMD. */
async function launchCommands(folder: string): Promise<{ func: string[]; container: string[] }> {
  const packageJson = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const dockerfile = await readFile(join(folder, 'Dockerfile'), 'utf8');
  const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1];
  if (!cmd) throw new Error('The Dockerfile has no CMD in exec form');
  return { func: packageJson.scripts.start.split(' '), container: JSON.parse(cmd) as string[] };
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

test('each function folder alone installs, starts as func and as a container, and answers, traced', async (t) => {
  const [backendFolder, frontendFolder, jaeger] = await Promise.all([
    buildAlone(t, 'backend'),
    buildAlone(t, 'frontend'),
    startTestJaeger(t),
  ]);
  const telemetry = { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const backendCommands = await launchCommands(backendFolder);
  const frontendCommands = await launchCommands(frontendFolder);

  for (const kind of ['func', 'container'] as const) {
    const backend = await launch(
      t,
      `backend (${kind})`,
      backendFolder,
      backendCommands[kind],
      baseEnv({ ...telemetry, LAG_MIN_MS: '0', LAG_MAX_MS: '10' }),
    );
    const frontend = await launch(
      t,
      `frontend (${kind})`,
      frontendFolder,
      frontendCommands[kind],
      baseEnv({ ...telemetry, COUNTER_ENDPOINT: backend }),
    );
    const response = await fetch(frontend);
    t.regex(await response.text(), /^Hello, World!\n\nYou're visitor number 1 in here!\n\n$/, kind);
    const trace = await waitForTrace(jaeger.queryUrl, traceIdOf(response.headers.get('traceresponse')), 8);
    t.is(trace.spans.length, 8, `${kind}: one whole trace`);
  }
});
