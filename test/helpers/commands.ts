// One of our commands (tools/commands/<name>.ts) run as a user runs it: node on the file, in the
// repository, with a home of its own (no ~/.kube/config of this machine's) and only the variables given.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { REPOSITORY_ROOT } from '../../tools/functions/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';

export async function runOurCommand(
  t: ExecutionContext,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const home = await mkdtemp(join(tmpdir(), `${command}-home-`));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const child = spawnChild(command, process.execPath, [`tools/commands/${command}.ts`, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH, HOME: home, ...env },
  });
  t.teardown(() => child.stop('SIGKILL'));
  const { code } = await child.exited;
  return { code, output: child.output() };
}
