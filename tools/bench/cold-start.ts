// Cold start: the time from spawning a process to its first successful answer, as a user waiting
// on Knative's scale from zero feels it (less the container's own start).
import { spawn } from 'node:child_process';
import { findFreePort } from '../processes/ports.ts';

export interface StartTarget {
  name: string;
  cwd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The variable the process reads its port from. */
  portVariable: 'FUNC_PORT' | 'PORT';
}

async function startOnce(target: StartTarget): Promise<number> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(process.execPath, target.args, {
    cwd: target.cwd,
    env: { ...target.env, [target.portVariable]: String(port) },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = started + 20_000;
    for (;;) {
      if (performance.now() > deadline || child.exitCode !== null) {
        throw new Error(`${target.name} gave no answer (exit ${child.exitCode ?? 'none'}) within 20 s`);
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        await response.body?.cancel();
        if (response.ok) return performance.now() - started;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * `runs` cold starts of each target, taken in turns after one discarded start of each (which warms
 * the file system cache): a slower minute of the machine then falls on every target alike. (Taken
 * one target after the other, two full runs read 1.22 and 1.26 for the same code.)
 */
export async function measureColdStarts(targets: readonly StartTarget[], runs: number): Promise<number[][]> {
  for (const target of targets) await startOnce(target);
  const times = targets.map((): number[] => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, target] of targets.entries()) times[index]?.push(await startOnce(target));
  }
  return times;
}
