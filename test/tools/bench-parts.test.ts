// The benchmark's parts (tools/bench/parts.ts), run small: each figure is a real measure of real work,
// and the export rows send their spans to a real Jaeger, all of them.
import test from 'ava';
import { acceptedSpans, settledAcceptedSpans } from '../../tools/bench/export.ts';
import {
  exchangeFigures,
  measureCalls,
  measureExchange,
  measureExports,
  measureFloor,
} from '../../tools/bench/parts.ts';
import { renderParts } from '../../tools/bench/rows.ts';
import { startTestJaeger } from '../helpers/system.ts';

const positive = (micros: number) => Number.isFinite(micros) && micros > 0;

test('the export rows send every span of theirs to Jaeger, over gRPC, HTTP/protobuf and HTTP/JSON', async (t) => {
  const jaeger = await startTestJaeger(t);
  const before = await acceptedSpans(jaeger.metricsUrl);
  const figures = await measureExports(
    { grpc: jaeger.otlpEndpoint, http: `http://localhost:${jaeger.ports.otlpHttp}` },
    1024,
  );
  t.deepEqual(
    figures.map((figure) => figure.part),
    [
      'export over OTLP gRPC (protobuf), batches of 512',
      'export over OTLP/HTTP protobuf, batches of 512',
      'export over OTLP/HTTP JSON, batches of 512',
    ],
  );
  t.true(
    figures.every((figure) => positive(figure.micros)),
    JSON.stringify(figures),
  );
  // Per protocol: one run to warm up (a fifth, rounded up to a batch), then five of 1,024 spans.
  const sent = 3 * (512 + 5 * 1024);
  t.is((await settledAcceptedSpans(jaeger.metricsUrl, before + sent)) - before, sent);
});

test('the floor, the calls and the HTTP exchange each give a figure, and the table shows them all', async (t) => {
  const jaeger = await startTestJaeger(t);
  const before = await acceptedSpans(jaeger.metricsUrl);
  const exchange = exchangeFigures({
    untraced: await measureExchange('untraced', 300),
    unrecorded: await measureExchange('unrecorded', 300),
    recorded: await measureExchange('recorded', 300),
    exported: await measureExchange('exported', 300, jaeger.otlpEndpoint),
  });
  // The exported exchange's spans reached Jaeger: two for each request, its warm-up's too.
  const sent = 2 * (60 + 5 * 300);
  t.is((await settledAcceptedSpans(jaeger.metricsUrl, before + sent)) - before, sent);
  const figures = [...(await measureFloor(2048)), ...(await measureCalls(5000)), ...exchange];
  t.is(figures.length, 4 + 5 + 5);
  // A measure is above zero; what tracing adds (a difference of two, 300 requests each here) only finite.
  t.true(
    figures.every((figure) => (figure.difference ? Number.isFinite(figure.micros) : positive(figure.micros))),
    JSON.stringify(figures),
  );
  t.is(figures.filter((figure) => figure.difference).length, 4);
  const table = renderParts(figures);
  for (const figure of figures) t.true(table.includes(figure.part), figure.part);
});
