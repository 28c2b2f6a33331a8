// Where the Jaeger v2 binary comes from: JAEGER_BINARY if set, else a build from Go modules that is
// cached outside the clone, so that CI and later runs reuse it.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildProgress, buildGoBinary, GoBuildError, isExecutable, projectCacheDirectory } from '../go/build.ts';

/** Jaeger v2.13.0 is the Go module github.com/jaegertracing/jaeger at tag v1.76.0 (see go.mod). */
export const JAEGER_VERSION = '2.13.0';
export const JAEGER_PACKAGE = 'github.com/jaegertracing/jaeger/cmd/jaeger';
export const JAEGER_MODULE_DIR = dirname(fileURLToPath(import.meta.url));

export class JaegerUnavailableError extends Error {
  override name = 'JaegerUnavailableError';
}

/** Static (CGO_ENABLED=0), so that the same binary runs here and in the cluster's FROM scratch image. */
export function cachedJaegerPath(env: NodeJS.ProcessEnv): string {
  return join(projectCacheDirectory(env), `jaeger-${JAEGER_VERSION}-static`, 'jaeger');
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

const noGo = (
  goVersion: string,
) => `Jaeger ${JAEGER_VERSION} is not built yet, and building it needs Go ${goVersion} or newer on PATH.
Either install Go and run the command again, or use a Jaeger v2 you already have:
  - a jaeger binary: JAEGER_BINARY=/path/to/jaeger npm start
  - the official container image: docker run --rm -p 4317:4317 -p 16686:16686 jaegertracing/jaeger:${JAEGER_VERSION}
    then OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 npm start (npm start then starts no Jaeger of its own).`;

/** Builds the binary into the cache, reporting progress; the file appears only when complete. */
export async function buildJaeger(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  try {
    return await buildGoBinary(
      {
        title: `Jaeger ${JAEGER_VERSION}`,
        moduleDirectory: JAEGER_MODULE_DIR,
        packagePath: JAEGER_PACKAGE,
        target: cachedJaegerPath(env),
        goEnv: { CGO_ENABLED: '0' },
        noGoMessage: noGo,
      },
      env,
      progress,
    );
  } catch (error) {
    if (error instanceof GoBuildError) throw new JaegerUnavailableError(error.message);
    throw error;
  }
}

/** The binary to run, building it first if needed. */
export async function ensureJaeger(env: NodeJS.ProcessEnv, progress: BuildProgress): Promise<string> {
  return (await locateJaeger(env)) ?? (await buildJaeger(env, progress));
}
