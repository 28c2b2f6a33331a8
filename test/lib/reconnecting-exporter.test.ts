// The reconnecting exporter on its own: after a failed export the next one goes through a new
// exporter (a new gRPC channel, free of the old one's reconnection backoff); while exports succeed it
// keeps the one it has. The inner exporters here record what they get and fail when told; the real
// OTLP exporter against a collector that dies and comes back is the "dead collector" fault scenario.
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import test from 'ava';
import { ReconnectingExporter } from '../../functions/backend/src/lib/reconnecting-exporter.ts';

type Result = Parameters<Parameters<SpanExporter['export']>[1]>[0];

class Recording implements SpanExporter {
  batches = 0;
  shutDown = false;
  readonly fails: () => boolean;
  constructor(fails: () => boolean) {
    this.fails = fails;
  }
  export(_spans: ReadableSpan[], done: (result: Result) => void): void {
    this.batches += 1;
    done(this.fails() ? { code: 1, error: new Error('14 UNAVAILABLE: No connection established') } : { code: 0 });
  }
  async shutdown(): Promise<void> {
    this.shutDown = true;
  }
}

function setUp() {
  let failing = false;
  const made: Recording[] = [];
  const exporter = new ReconnectingExporter(() => {
    const inner = new Recording(() => failing);
    made.push(inner);
    return inner;
  });
  const send = () => new Promise<Result>((resolve) => exporter.export([], resolve));
  return { exporter, made, send, fail: (value: boolean) => (failing = value) };
}

test('while exports succeed, one exporter does them all', async (t) => {
  const { made, send } = setUp();
  for (let round = 0; round < 3; round += 1) t.is((await send()).code, 0);
  t.is(made.length, 1);
  t.is(made[0]?.batches, 3);
});

test('after a failed export, the next goes through a new exporter, and the old one is shut down', async (t) => {
  const { made, send, fail } = setUp();
  fail(true);
  const failed = await send();
  t.is(failed.code, 1);
  t.regex(String(failed.error), /UNAVAILABLE/);
  fail(false);
  t.is((await send()).code, 0);
  t.is(made.length, 2);
  t.true(made[0]?.shutDown);
  t.false(made[1]?.shutDown);
  // Back to good: no more new ones.
  t.is((await send()).code, 0);
  t.is(made.length, 2);
});

test('while the collector stays down, each batch tries a new exporter', async (t) => {
  const { made, send, fail } = setUp();
  fail(true);
  for (let round = 0; round < 4; round += 1) t.is((await send()).code, 1);
  t.is(made.length, 4);
  t.true(made.slice(0, 3).every((inner) => inner.shutDown));
});

test('shutdown and forceFlush reach the current exporter', async (t) => {
  const { exporter, made } = setUp();
  await exporter.forceFlush();
  await exporter.shutdown();
  t.true(made[0]?.shutDown);
});
