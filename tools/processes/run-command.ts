// Runs a short command (ip, openssl, kubectl) to its end: its output, or an error that says what failed.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  override name = 'CommandError';
  readonly code: number | null;
  readonly stderr: string;
  constructor(message: string, code: number | null, stderr: string) {
    super(message);
    this.code = code;
    this.stderr = stderr;
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command; `input` goes to its stdin, `onStderrLine` sees each line of its stderr. Never throws for a non-zero exit status. */
export function runCommand(
  command: string,
  args: readonly string[],
  {
    input,
    env,
    cwd,
    onStderrLine,
  }: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; onStderrLine?: (line: string) => void } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!onStderrLine) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onStderrLine(line);
    });
    child.once('error', (error) => reject(new CommandError(`${command} could not start: ${error.message}`, null, '')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Runs the command and answers its stdout; throws a CommandError with its stderr when it fails. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const shown = [command, ...args].join(' ');
    throw new CommandError(
      `\`${shown}\` failed (status ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
      result.code,
      result.stderr,
    );
  }
  return result.stdout;
}
