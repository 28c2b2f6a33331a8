// Binaries the project cannot get elsewhere (Jaeger, Knative's checker, kn) are built from Go modules:
// each from a small wrapper module of ours under tools/, into a cache outside the clone, so that CI
// and later runs reuse them. This file knows how to build one, with progress; callers know which.
import { access, constants, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from '../processes/run-command.ts';

export class GoBuildError extends Error {
  override name = 'GoBuildError';
}

/** The project's cache folder: $XDG_CACHE_HOME/knative-tracing-counter, else ~/.cache/knative-tracing-counter. */
export function projectCacheDirectory(env: NodeJS.ProcessEnv): string {
  const cacheHome = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cacheHome, 'knative-tracing-counter');
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type BuildProgress = (line: string) => void;

/** Runs a go command, answering its exit status and all it printed; `onLine` sees each stderr line. */
async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  onLine?: (line: string) => void,
) {
  const { code, stdout, stderr } = await runCommand(command, args, { cwd, env, onStderrLine: onLine });
  return { code, output: stdout + stderr };
}

export interface GoBinary {
  /** What the progress lines and errors call it, e.g. "Jaeger 2.13.0". */
  title: string;
  /** The wrapper module's folder (its go.mod requires the real module at a pinned version). */
  moduleDirectory: string;
  /** The main package to build, e.g. github.com/jaegertracing/jaeger/cmd/jaeger. */
  packagePath: string;
  /** Where the binary goes. */
  target: string;
  /** Extra variables for the go commands, e.g. CGO_ENABLED=0. */
  goEnv?: NodeJS.ProcessEnv;
  /** What to say when Go is missing, given the oldest Go that builds it; the default names Go and the title. */
  noGoMessage?: (goVersion: string) => string;
  /** More linker flags, e.g. `-X pkg.version=v1` to stamp a version; after `-s -w`. */
  linkerFlags?: readonly string[];
}

/** The `go` line of a wrapper module's go.mod: the oldest Go that builds it. */
export async function requiredGoVersion(moduleDirectory: string): Promise<string> {
  const goMod = await readFile(join(moduleDirectory, 'go.mod'), 'utf8');
  const version = /^go (\S+)$/m.exec(goMod)?.[1];
  if (!version) throw new GoBuildError(`${join(moduleDirectory, 'go.mod')} has no go line`);
  return version;
}

/** Whether a usable Go is on PATH. */
export async function hasGo(env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    return (await run('go', ['version'], '/', env)).code === 0;
  } catch {
    return false;
  }
}

/** Builds the binary into its target, reporting progress; the file appears only when complete. */
export async function buildGoBinary(
  binary: GoBinary,
  env: NodeJS.ProcessEnv,
  progress: BuildProgress,
): Promise<string> {
  const { title, moduleDirectory, packagePath, target } = binary;
  if (!(await hasGo(env))) {
    const goVersion = await requiredGoVersion(moduleDirectory);
    throw new GoBuildError(
      binary.noGoMessage?.(goVersion) ??
        `${title} is not built yet, and building it needs Go ${goVersion} or newer on PATH.`,
    );
  }
  const goEnv = { ...env, ...binary.goEnv };
  progress(`Building ${title} from Go modules into ${target} (the first build takes a few minutes)`);
  // No `go mod download`: it asks the proxy for every module's .info, which it refuses for one of
  // kn's (knative.dev/client/pkg's pseudo-version); go list and go build fetch only what they use.
  progress('  downloading the Go modules it needs…');
  const list = await run('go', ['list', '-deps', packagePath], moduleDirectory, goEnv);
  if (list.code !== 0) throw new GoBuildError(`go list ${packagePath} failed:\n${list.output}`);
  const total = list.output.split('\n').filter(Boolean).length;

  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  let compiled = 0;
  let reported = 0;
  const build = await run(
    'go',
    [
      'build',
      '-v',
      '-trimpath',
      `-ldflags=${['-s', '-w', ...(binary.linkerFlags ?? [])].join(' ')}`,
      '-o',
      partial,
      packagePath,
    ],
    moduleDirectory,
    goEnv,
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
    throw new GoBuildError(`go build ${packagePath} failed:\n${build.output}`);
  }
  await rename(partial, target);
  progress(`  done: ${target}`);
  return target;
}
