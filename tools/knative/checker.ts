// Knative Serving's own admission code, run on our objects without a cluster: the Go program in
// check/ (beside this file) runs what Serving's webhook runs on create, and says, per object,
// whether the webhook would admit it and with which message it would refuse it. It is built from
// Go modules into a cache outside the clone, like Jaeger and kn.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildProgress, buildGoBinary, GoBuildError, isExecutable, projectCacheDirectory } from '../go/build.ts';
import { runCommand } from '../processes/run-command.ts';
import type { KubernetesObject } from './manifests.ts';

/** knative.dev/serving v0.50.0 is Knative Serving 1.23 (see check/go.mod). */
export const KNATIVE_SERVING_VERSION = 'v0.50.0';
export const CHECKER_PACKAGE = 'knative-tracing-counter/tools/knative/check';
export const CHECKER_MODULE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'check');

/** One line of the checker's output. */
export interface KnativeVerdict {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  allowed: boolean;
  /** The webhook's answer when it refuses; otherwise empty, or why Knative did not look. */
  message: string;
  /** Warnings the webhook would send with its answer. */
  warnings?: string[];
}

export class KnativeCheckerUnavailableError extends Error {
  override name = 'KnativeCheckerUnavailableError';
}

/** The checker ran but could not judge: unreadable input, or output that is not one verdict per object. */
export class KnativeCheckError extends Error {
  override name = 'KnativeCheckError';
}

export function cachedCheckerPath(env: NodeJS.ProcessEnv): string {
  return join(projectCacheDirectory(env), `knative-check-serving-${KNATIVE_SERVING_VERSION}`, 'knative-check');
}

/**
 * What the binary is built from (check/'s go.mod, go.sum and Go files). Unlike Jaeger and kn, the
 * checker's main package is ours, so its version alone does not name a build.
 */
export async function checkerSourceDigest(): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(CHECKER_MODULE_DIR)).filter((name) => /^go\.(mod|sum)$|\.go$/.test(name)).sort();
  for (const name of names) hash.update(`${name}\0`).update(await readFile(join(CHECKER_MODULE_DIR, name)));
  return hash.digest('hex');
}

/** Beside the binary: the digest of the sources it was built from. */
const stampOf = (binary: string) => `${binary}.source-sha256`;

async function readStamp(binary: string): Promise<string | undefined> {
  try {
    return (await readFile(stampOf(binary), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The binary to run, or undefined when it still has to be built (or rebuilt: its sources changed). */
export async function locateChecker(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const cached = cachedCheckerPath(env);
  if (!(await isExecutable(cached))) return undefined;
  return (await readStamp(cached)) === (await checkerSourceDigest()) ? cached : undefined;
}

/** The binary to run; throws a KnativeCheckerUnavailableError that says how to build it when it is missing. */
export async function requireChecker(env: NodeJS.ProcessEnv): Promise<string> {
  const binary = await locateChecker(env);
  if (binary) return binary;
  const cached = cachedCheckerPath(env);
  const why = (await isExecutable(cached))
    ? `${cached} was built from other sources than ${CHECKER_MODULE_DIR}`
    : `${cached} does not exist`;
  throw new KnativeCheckerUnavailableError(
    `Knative's checker (Serving ${KNATIVE_SERVING_VERSION}) is not built: ${why}. Run \`npm run setup\` (it builds the checker from Go modules, a few minutes the first time).`,
  );
}

/** Builds the binary into the cache, reporting progress; the file appears only when complete. */
export async function buildChecker(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  const digest = await checkerSourceDigest();
  let binary: string;
  try {
    binary = await buildGoBinary(
      {
        title: `Knative's checker (Serving ${KNATIVE_SERVING_VERSION})`,
        moduleDirectory: CHECKER_MODULE_DIR,
        packagePath: CHECKER_PACKAGE,
        target: cachedCheckerPath(env),
        // As kn is built, so that the two builds share Go's build cache.
        goEnv: { CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
      },
      env,
      progress,
    );
  } catch (error) {
    if (error instanceof GoBuildError) throw new KnativeCheckerUnavailableError(error.message);
    throw error;
  }
  await writeFile(stampOf(binary), `${digest}\n`);
  return binary;
}

/** The binary to run, building it first if needed. */
export async function ensureChecker(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  return (await locateChecker(env)) ?? (await buildChecker(env, progress));
}

/** What Knative's webhook would answer to creating each object, in order. */
export async function checkObjects(
  objects: readonly KubernetesObject[],
  env: NodeJS.ProcessEnv,
): Promise<KnativeVerdict[]> {
  const binary = await requireChecker(env);
  // No variables: Knative's config code reads a few (SYSTEM_NAMESPACE, CONFIG_*_NAME), and the
  // checker must judge as a default install of Knative does.
  const { code, stdout, stderr } = await runCommand(binary, [], {
    env: {},
    input: objects.map((object) => JSON.stringify(object)).join('\n'),
  });
  if (code !== 0) throw new KnativeCheckError(`${binary} exited with status ${code}: ${stderr.trim()}`);
  const verdicts = stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as KnativeVerdict);
  if (verdicts.length !== objects.length) {
    throw new KnativeCheckError(
      `${binary} judged ${verdicts.length} of ${objects.length} objects:\n${stdout}${stderr}`,
    );
  }
  return verdicts;
}
