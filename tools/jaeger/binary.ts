// Where the Jaeger v2 binary comes from: JAEGER_BINARY if set, else a build from Go modules that is
// cached outside the clone, so that CI and later runs reuse it.
import { spawn } from 'node:child_process';
import { access, constants, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Jaeger v2.13.0 is the Go module github.com/jaegertracing/jaeger at tag v1.76.0 (see go.mod). */
export const JAEGER_VERSION = '2.13.0';
export const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';
export const JAEGER_MODULE_DIR = dirname(fileURLToPath(import.meta.url));

export class JaegerUnavailableError extends Error {
  override name = 'JaegerUnavailableError';
}

export function cachedJaegerPath(env: NodeJS.ProcessEnv): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'knative-tracing-counter', `jaeger-${JAEGER_VERSION}`, 'jaeger');
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binary to run, or undefined when it still has to be built. */
export async function locateJaeger(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const given = env.JAEGER_BINARY;
  if (given) {
    if (await isExecutable(given)) return given;
    throw new JaegerUnavailableError(`JAEGER_BINARY is "${given}", which is not an executable file.`);
  }
  const cached = cachedJaegerPath(env);
  return (await isExecutable(cached)) ? cached : undefined;
}

export type BuildProgress = (line: string) => void;

/** Runs a command, answering its exit status and output; `onLine` sees each stderr line. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, onLine?: (line: string) => void) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, { cwd: JAEGER_MODULE_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

const NO_GO = `Jaeger ${JAEGER_VERSION} is not built yet, and building it needs Go (1.24 or newer) on PATH.
Either install Go and run \`npm run setup\` again, or use a Jaeger v2 you already have:
  - a jaeger binary: JAEGER_BINARY=/path/to/jaeger npm start
  - the official container image: docker run --rm -p 4317:4317 -p 16686:16686 jaegertracing/jaeger:${JAEGER_VERSION}
    then OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 npm start (npm start then starts no Jaeger of its own).`;

/** Builds the binary into the cache, reporting progress; the file appears only when complete. */
export async function buildJaeger(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  const target = cachedJaegerPath(env);
  try {
    await run('go', ['version'], env);
  } catch {
    throw new JaegerUnavailableError(NO_GO);
  }
  progress(`Building Jaeger ${JAEGER_VERSION} from Go modules into ${target} (the first build takes a few minutes)`);
  progress('  downloading Go modules…');
  const download = await run('go', ['mod', 'download'], env);
  if (download.code !== 0) throw new JaegerUnavailableError(`go mod download failed:\n${download.output}`);

  const list = await run('go', ['list', '-deps', JAEGER_PACKAGE], env);
  if (list.code !== 0) throw new JaegerUnavailableError(`go list failed:\n${list.output}`);
  const total = list.output.split('\n').filter(Boolean).length;

  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  let compiled = 0;
  let reported = 0;
  const build = await run(
    'go',
    ['build', '-v', '-trimpath', '-ldflags=-s -w', '-o', partial, JAEGER_PACKAGE],
    env,
    (line) => {
      if (!line || line.includes(' ') || line.startsWith('#')) return;
      compiled += 1;
      const percent = Math.floor((100 * compiled) / total);
      if (percent >= reported + 10) {
        reported = percent - (percent % 10);
        progress(`  compiled ${compiled} of at most ${total} packages (${reported} %)`);
      }
    },
  );
  if (build.code !== 0) {
    await rm(partial, { force: true });
    throw new JaegerUnavailableError(`go build ${JAEGER_PACKAGE} failed:\n${build.output}`);
  }
  await rename(partial, target);
  progress(`  done: ${target}`);
  return target;
}

/** The binary to run, building it first if needed. */
export async function ensureJaeger(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  return (await locateJaeger(env)) ?? (await buildJaeger(env, progress));
}
