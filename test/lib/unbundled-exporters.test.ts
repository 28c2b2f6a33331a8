// The telemetry bundle leaves out the exporters NodeSDK imports but never makes here, and with them
// the ES module import of node:http that cost a cold start some 13 ms (see src/lib/unbundled-exporters.ts).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import {
  ExporterNotBundledError,
  PrometheusExporter,
  ZipkinExporter,
} from '../../functions/backend/src/lib/unbundled-exporters.ts';
import { functionDirectory } from '../../tools/functions/run.ts';

for (const name of ['backend', 'frontend'] as const) {
  test(`${name}'s bundle imports neither node:http nor node:https as an ES module, and holds no Zipkin or Prometheus exporter`, async (t) => {
    const bundle = await readFile(join(functionDirectory(name), 'dist', 'tracing.mjs'), 'utf8');
    t.notRegex(bundle, /^import .* from "(node:)?https?";$/m);
    t.notRegex(bundle, /node_modules\/@opentelemetry\/exporter-(zipkin|prometheus)\//);
  });
}

test('asking for an exporter left out of the bundle says so', (t) => {
  t.throws(() => new ZipkinExporter(), { instanceOf: ExporterNotBundledError, message: /exporter-zipkin is not in/ });
  t.throws(() => new PrometheusExporter(), { instanceOf: ExporterNotBundledError, message: /OTLP gRPC only/ });
});
