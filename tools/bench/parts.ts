// What each part of a span costs, measured with many spans in a process of its own (parts-main.ts), one part at a time: the
// SDK's bare costs (the floor: start and end a span with our attributes, the batch processor with an
// exporter that does nothing, OTLP serialisation of a batch), the parts our layer adds (context,
// propagation, traceresponse, the redacting processor, our server and client span paths around a real
// node:http exchange), and the export of a batch to a real Jaeger over OTLP gRPC, HTTP/protobuf and
// HTTP/JSON. Every figure is CPU time of this process (all its threads: the garbage collector too)
// per span or per call, the median of several runs.
import { Agent, createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Attributes, context, propagation, ROOT_CONTEXT, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  ExportResultCode,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { traceClients, traceServers } from '../../functions/lib/http-spans.ts';
import { RedactingSpanProcessor } from '../../functions/lib/redact.ts';
import { traceResponseHeader } from '../../functions/lib/spans.ts';
import { median } from '../report/stats.ts';

export interface PartFigure {
  part: string;
  /** CPU µs per span (or per call, for the parts that are calls). */
  micros: number;
  per: 'span' | 'call' | 'request';
  /** A difference of two measures (what tracing adds to the exchange): noise can take it below zero. */
  difference?: true;
}

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU µs per operation of `run(count)`, the median of `runs` runs after one run to warm up. */
async function perOperation(count: number, run: (count: number) => Promise<void> | void, runs = 5): Promise<number> {
  await run(Math.ceil(count / 5));
  const figures: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const before = cpuMicros();
    await run(count);
    figures.push((cpuMicros() - before) / count);
  }
  return median(figures);
}

/** A server span's attributes as ours records them for a routed visit (docs/spans-and-http.md). */
const SERVER_ATTRIBUTES: Attributes = {
  'http.request.method': 'GET',
  'url.path': '/',
  'url.scheme': 'http',
  'network.protocol.version': '1.1',
  'server.address': 'frontend.default.svc.cluster.local',
  'server.port': 80,
};

/** The resource of a function's spans, roughly: its service, Knative's names, process, host, OS. */
const RESOURCE = resourceFromAttributes({
  'service.name': 'frontend',
  'service.version': '0.1.0',
  'faas.name': 'frontend',
  'faas.version': 'frontend-00001',
  'process.pid': 1,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '24.21.0',
  'host.name': 'frontend-00001-deployment-6d9c5b7f4-abcde',
  'host.arch': 'amd64',
  'os.type': 'linux',
});

class DiscardingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.exported += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
}

class CollectingProcessor implements SpanProcessor {
  spans: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function tracerWith(processors: SpanProcessor[]): { tracer: Tracer; provider: TracerProvider } {
  const provider = new TracerProvider({ resource: RESOURCE, spanProcessors: processors });
  return { provider, tracer: provider.getTracer('parts') };
}

/** `count` spans started and ended the way a visit's are: a server span, attributes, a route, a status. */
function makeSpans(tracer: Tracer, count: number): void {
  for (let index = 0; index < count; index += 1) {
    const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: SERVER_ATTRIBUTES }, ROOT_CONTEXT);
    span.setAttribute('http.route', '/');
    span.updateName('GET /');
    span.setAttribute('http.response.status_code', 200);
    span.end();
  }
}

/** A batch of ended spans, as the batch processor hands them to the exporter. */
function batchOf(size: number): ReadableSpan[] {
  const collecting = new CollectingProcessor();
  makeSpans(tracerWith([collecting]).tracer, size);
  return collecting.spans;
}

/** The SDK's own costs, with nothing of ours: the floor every other figure is read against. */
export async function measureFloor(spans = 20_000): Promise<PartFigure[]> {
  const bare = tracerWith([]).tracer;
  const discarding = new DiscardingExporter();
  const batched = tracerWith([new BatchSpanProcessor({ exporter: discarding })]).tracer;
  const batch = batchOf(512);
  const serialise = (serializer: { serializeRequest(spans: ReadableSpan[]): unknown }) => (count: number) => {
    for (let done = 0; done < count; done += batch.length) serializer.serializeRequest(batch);
  };
  return [
    {
      part: 'start and end a span with 8 attributes (SDK, no processor)',
      per: 'span',
      micros: await perOperation(spans, (count) => makeSpans(bare, count)),
    },
    {
      part: 'the same through the batch processor, exporter doing nothing',
      per: 'span',
      micros: await perOperation(spans, (count) => makeSpans(batched, count)),
    },
    {
      part: 'OTLP protobuf serialisation, batches of 512',
      per: 'span',
      micros: await perOperation(spans, serialise(ProtobufTraceSerializer)),
    },
    {
      part: 'OTLP JSON serialisation, batches of 512',
      per: 'span',
      micros: await perOperation(spans, serialise(JsonTraceSerializer)),
    },
  ];
}

type Exporter = Pick<SpanExporter, 'export' | 'shutdown'>;

function exportOnce(exporter: Exporter, spans: ReadableSpan[]): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(result.error ?? new Error('export failed'));
    });
  });
}

/**
 * The export of batches of 512 to a real Jaeger, one protocol at a time: CPU of this process per span
 * (serialising, the protocol's framing, the call), the collector's own CPU not counted.
 */
export async function measureExports(endpoints: { grpc: string; http: string }, spans = 20_480): Promise<PartFigure[]> {
  const batch = batchOf(512);
  const exporters: [string, () => Exporter][] = [
    ['export over OTLP gRPC (protobuf), batches of 512', () => new GrpcExporter({ url: endpoints.grpc })],
    [
      'export over OTLP/HTTP protobuf, batches of 512',
      () => new ProtobufExporter({ url: `${endpoints.http}/v1/traces` }),
    ],
    ['export over OTLP/HTTP JSON, batches of 512', () => new JsonExporter({ url: `${endpoints.http}/v1/traces` })],
  ];
  const figures: PartFigure[] = [];
  for (const [part, make] of exporters) {
    const exporter = make();
    try {
      const micros = await perOperation(spans, async (count) => {
        for (let done = 0; done < count; done += batch.length) await exportOnce(exporter, batch);
      });
      figures.push({ part, per: 'span', micros });
    } finally {
      await exporter.shutdown();
    }
  }
  return figures;
}

/** Sets the globals as NodeSDK does: the async-local-storage context manager and the W3C propagators. */
function installGlobals(provider: TracerProvider): void {
  // The API keeps the first of each global: put back none before setting ours.
  trace.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
}

/** The calls our layer makes for each span, one at a time, with a recording span active. */
export async function measureCalls(calls = 200_000): Promise<PartFigure[]> {
  const provider = new TracerProvider({ resource: RESOURCE });
  installGlobals(provider);
  const tracer = provider.getTracer('parts');
  const span = tracer.startSpan('GET /', { kind: SpanKind.SERVER, attributes: SERVER_ATTRIBUTES });
  const active = trace.setSpan(ROOT_CONTEXT, span);
  const headers: Record<string, string> = { host: 'frontend', accept: '*/*' };
  propagation.inject(active, headers);
  const carrier: Record<string, string> = {};
  const redacting = new RedactingSpanProcessor();
  const loop = (work: () => unknown) => (count: number) => {
    for (let index = 0; index < count; index += 1) work();
  };
  return [
    {
      part: 'context.with, a span made active',
      per: 'call',
      micros: await perOperation(
        calls,
        loop(() => context.with(active, () => 0)),
      ),
    },
    {
      part: 'propagation.extract, W3C headers',
      per: 'call',
      micros: await perOperation(
        calls,
        loop(() => propagation.extract(ROOT_CONTEXT, headers)),
      ),
    },
    {
      part: 'propagation.inject, W3C headers',
      per: 'call',
      micros: await perOperation(
        calls,
        loop(() => propagation.inject(active, carrier)),
      ),
    },
    {
      part: 'traceresponse header',
      per: 'call',
      micros: await perOperation(
        calls,
        loop(() => context.with(active, traceResponseHeader)),
      ),
    },
    {
      part: 'redacting processor, a span ending',
      per: 'span',
      micros: await perOperation(
        calls,
        loop(() => redacting.onEnding(span as unknown as Parameters<RedactingSpanProcessor['onEnding']>[0])),
      ),
    },
  ];
}

/** `count` requests, one after another on one keep-alive connection, from this process to a server of its own. */
async function exchanges(url: string, agent: Agent, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await new Promise<void>((resolve, reject) => {
      httpRequest(url, { agent }, (response: IncomingMessage) => {
        response.resume();
        response.once('end', resolve);
      })
        .once('error', reject)
        .end();
    });
  }
}

export type ExchangeMode = 'untraced' | 'unrecorded' | 'recorded' | 'exported';

/**
 * CPU µs of one request from a node:http client to a node:http server in this process, and its answer:
 * untraced, or with our server and client spans: nothing recorded, both recorded and queued for an
 * exporter that does nothing, or exported over OTLP gRPC to the Jaeger at `grpc` with the SDK's default
 * batches. One mode per process (parts-main.ts runs them in turns), so that no mode runs on code the JIT
 * shaped for another.
 */
export async function measureExchange(mode: ExchangeMode, requests = 20_000, grpc?: string): Promise<number> {
  const server = createServer((_request, response) => response.end('8'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/counter`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const provider = new TracerProvider({
    resource: RESOURCE,
    sampler: mode === 'unrecorded' ? new AlwaysOffSampler() : new AlwaysOnSampler(),
    spanProcessors: [
      new RedactingSpanProcessor(),
      new BatchSpanProcessor({
        exporter: mode === 'exported' ? new GrpcExporter({ url: grpc }) : new DiscardingExporter(),
      }),
    ],
  });
  const untrace: (() => void)[] = [];
  if (mode !== 'untraced') {
    installGlobals(provider);
    const tracer = provider.getTracer('parts');
    untrace.push(
      traceServers(tracer, () => false),
      traceClients(tracer),
    );
  }
  try {
    return await perOperation(requests, (count) => exchanges(url, agent, count));
  } finally {
    for (const stop of untrace) stop();
    await provider.shutdown();
    agent.destroy();
    server.close();
  }
}

/** The exchange's figures from the CPU µs of each mode: the request untraced, and what each tracing mode adds. */
export function exchangeFigures(micros: Record<ExchangeMode, number>): PartFigure[] {
  return [
    { part: 'an HTTP request and its answer, untraced', per: 'request', micros: micros.untraced },
    {
      part: 'the same with our server and client spans, nothing recorded',
      per: 'request',
      micros: micros.unrecorded - micros.untraced,
      difference: true,
    },
    {
      part: 'the same, both spans recorded and batched',
      per: 'request',
      micros: micros.recorded - micros.untraced,
      difference: true,
    },
    {
      part: 'the same, both exported over OTLP gRPC to Jaeger',
      per: 'request',
      micros: micros.exported - micros.untraced,
      difference: true,
    },
    {
      part: 'all-in per span: exported − untraced, over 2 spans',
      per: 'span',
      micros: (micros.exported - micros.untraced) / 2,
      difference: true,
    },
  ];
}

/** Every part but the exchange (parts-main.ts runs that in processes of its own), floor first. */
export async function measureParts(endpoints: { grpc: string; http: string }, quick: boolean): Promise<PartFigure[]> {
  const scale = quick ? 0.25 : 1;
  return [
    ...(await measureFloor(Math.round(20_000 * scale))),
    ...(await measureExports(endpoints, Math.round(20_480 * scale))),
    ...(await measureCalls(Math.round(200_000 * scale))),
  ];
}
