// The telemetry bundle starts tracing without loading @grpc/grpc-js (a cold start would wait some
// 20 ms for it); the first export loads it, and the spans reach a real Jaeger.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import { functionDirectory } from '../../tools/functions/run.ts';
import { spawnChild } from '../../tools/processes/process.ts';
import { waitForTrace } from '../helpers/jaeger-api.ts';
import { startTestJaeger } from '../helpers/system.ts';

const folder = functionDirectory('backend');

/** Builds the bundle as `npm run build` does, into a file of this test's own beside dist/tracing.mjs. */
async function buildBundle(): Promise<string> {
  const packageJson = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
    scripts: { build: string };
  };
  const outfile = `dist/lazy-grpc-test-${process.pid}.mjs`;
  const command = packageJson.scripts.build.replace('--outfile=dist/tracing.mjs', `--outfile=${outfile}`);
  const build = spawnChild('build', 'sh', ['-c', command], {
    cwd: folder,
    env: { ...process.env, PATH: `${join(folder, '..', '..', 'node_modules', '.bin')}:${process.env.PATH}` },
  });
  const { code } = await build.exited;
  if (code !== 0 || !command.includes(outfile)) throw new Error(`The build failed:\n${build.output()}`);
  return join(folder, outfile);
}

// Starts tracing from the bundle, reports whether gRPC is loaded, makes one span, flushes, reports again.
const PROBE = `
  const { createRequire } = await import('node:module');
  const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('@grpc/grpc-js'));
  const { startTracing } = await import(process.env.BUNDLE);
  const { trace } = await import('@opentelemetry/api');
  const sdk = await startTracing(process.env);
  console.log('after start:', loaded());
  const span = trace.getTracer('probe').startSpan('lazy grpc probe');
  console.log('trace', span.spanContext().traceId);
  span.end();
  await sdk.shutdown();
  console.log('after export:', loaded());
`;

test('the bundle loads @grpc/grpc-js at the first export, not at start, and the span arrives', async (t) => {
  const [bundle, jaeger] = await Promise.all([buildBundle(), startTestJaeger(t)]);
  t.teardown(() => rm(bundle, { force: true }));
  const probe = spawnChild('probe', process.execPath, ['--input-type=module', '--eval', PROBE], {
    cwd: folder,
    env: {
      ...process.env,
      BUNDLE: bundle,
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint,
      OTEL_SERVICE_NAME: 'probe',
    },
  });
  t.is((await probe.exited).code, 0, probe.output());
  t.regex(probe.output(), /after start: false/);
  t.regex(probe.output(), /after export: true/);
  const traceId = /trace ([0-9a-f]{32})/.exec(probe.output())?.[1] ?? '';
  const trace = await waitForTrace(jaeger.queryUrl, traceId, 1);
  t.is(trace.spans[0]?.operationName, 'lazy grpc probe');
});
