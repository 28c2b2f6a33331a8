// The README's `npm start` as a test runs it: on free ports, until it says `Ready.`, and stopped at
// the test's end the way Ctrl-C stops it (npm's whole process group signalled) if it still runs; and
// `npm run <script> -- <args>` to its end.
import type { ExecutionContext } from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { JAEGER_PORT_VARIABLES } from '../../tools/jaeger/run.ts';
import { findFreePort, onFreePorts } from '../../tools/processes/ports.ts';
import { type Child, spawnChild, waitFor } from '../../tools/processes/process.ts';
import { baseEnv } from './system.ts';

const PORTS = ['FRONTEND_PORT', 'BACKEND_PORT', 'PAGE_PORT', ...Object.values(JAEGER_PORT_VARIABLES)];

export interface StartedNpm {
  npm: Child;
  url: string;
  jaeger: string;
  page: string;
}

/** `npm start` with `env` (beside the test's clean environment), every port a free one. */
export async function npmStart(t: ExecutionContext, env: NodeJS.ProcessEnv): Promise<StartedNpm> {
  return onFreePorts(async () => {
    const ports = Object.fromEntries(
      await Promise.all(PORTS.map(async (name) => [name, String(await findFreePort())])),
    );
    const npm = spawnChild('npm start', 'npm', ['start'], { cwd: REPOSITORY_ROOT, env: baseEnv({ ...ports, ...env }) });
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
      page: `http://localhost:${ports.PAGE_PORT}`,
    };
  });
}

/** `npm run <script> --silent -- <args>` in the repository, to its end: its exit code and output. */
export async function npmRun(t: ExecutionContext, script: string, args: string[]) {
  const child = spawnChild(`npm run ${script}`, 'npm', ['run', script, '--silent', '--', ...args], {
    cwd: REPOSITORY_ROOT,
    env: baseEnv(),
  });
  t.teardown(() => child.stop('SIGKILL'));
  return { code: (await child.exited).code, output: child.output() };
}
