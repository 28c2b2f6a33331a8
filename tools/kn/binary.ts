// Where Knative's `kn` comes from: a build from Go modules (the wrapper module beside this file),
// cached outside the clone so that CI and later runs reuse it. Only this version is used: the tests
// judge the kn commands of docs/deploy.md by what this kn writes, so another kn could judge
// differently.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildProgress, buildGoBinary, GoBuildError, isExecutable, projectCacheDirectory } from '../go/build.ts';

/** knative.dev/client v0.50.0 is the kn of Knative 1.23 (see go.mod). */
export const KN_VERSION = 'v0.50.0';
export const KN_PACKAGE = 'knative.dev/client/cmd/kn';
export const KN_MODULE_DIR = dirname(fileURLToPath(import.meta.url));

export class KnUnavailableError extends Error {
  override name = 'KnUnavailableError';
}

export function cachedKnPath(env: NodeJS.ProcessEnv): string {
  return join(projectCacheDirectory(env), `kn-${KN_VERSION}`, 'kn');
}

/** The binary to run, or undefined when it still has to be built. */
export async function locateKn(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const cached = cachedKnPath(env);
  return (await isExecutable(cached)) ? cached : undefined;
}

/** The binary to run; throws a KnUnavailableError that says how to build it when it is missing. */
export async function requireKn(env: NodeJS.ProcessEnv): Promise<string> {
  const binary = await locateKn(env);
  if (binary) return binary;
  throw new KnUnavailableError(
    `kn ${KN_VERSION} is not built: ${cachedKnPath(env)} does not exist. Run \`npm run setup\` (it builds kn from Go modules, a few minutes the first time).`,
  );
}

/** Builds the binary into the cache, reporting progress; the file appears only when complete. */
export async function buildKn(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  try {
    return await buildGoBinary(
      {
        title: `kn ${KN_VERSION}`,
        moduleDirectory: KN_MODULE_DIR,
        packagePath: KN_PACKAGE,
        target: cachedKnPath(env),
        goEnv: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
      },
      env,
      progress,
    );
  } catch (error) {
    if (error instanceof GoBuildError) throw new KnUnavailableError(error.message);
    throw error;
  }
}

/** The binary to run, building it first if needed. */
export async function ensureKn(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  return (await locateKn(env)) ?? (await buildKn(env, progress));
}
