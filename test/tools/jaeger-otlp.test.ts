// The adapter from Jaeger's /api/v3 answers (OTLP JSON) to the model of its /api/traces: checked
// against both answers for the same traces, recorded from a real Jaeger 2.13.0, and case by case.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { type OtlpSpan, type OtlpTracesData, tracesFromOtlp } from '../../tools/jaeger/otlp.ts';
import { type JaegerSpan, type JaegerTrace, serviceOf, tagOf } from '../../tools/jaeger/query.ts';

/** As /api/traces answered: each span with its `warnings` besides. */
type RecordedTrace = Omit<JaegerTrace, 'spans'> & { spans: (JaegerSpan & { warnings?: unknown })[] };

const fixture = async <T>(name: string): Promise<T> =>
  JSON.parse(await readFile(new URL(`../fixtures/jaeger/${name}`, import.meta.url), 'utf8')) as T;

/**
 * A trace with its spans in spanID order and its processes named by service: /api/traces numbers
 * processes and orders spans as its storage hands them out, which no caller relies on.
 */
function comparable(trace: JaegerTrace) {
  return {
    traceID: trace.traceID,
    processes: Object.values(trace.processes).sort((a, b) => a.serviceName.localeCompare(b.serviceName)),
    spans: trace.spans
      .map(({ processID, ...span }) => ({ ...span, process: trace.processes[processID]?.serviceName }))
      .sort((a, b) => a.spanID.localeCompare(b.spanID)),
  };
}

for (const name of ['ok', 'failed']) {
  test(`a recorded ${name} visit reads the same from /api/v3 as from /api/traces`, async (t) => {
    const v1 = (await fixture<Record<string, RecordedTrace>>('api-traces.json'))[name];
    const v3 = (await fixture<Record<string, { result: OtlpTracesData }>>('api-v3-traces.json'))[name];
    if (!v1 || !v3) throw new Error(`no recorded ${name} trace`);
    const expected = { ...v1, spans: v1.spans.map(({ warnings: _, ...span }) => span) };
    const traces = tracesFromOtlp(v3.result);
    t.is(traces.length, 1);
    t.deepEqual(comparable(traces[0] as JaegerTrace), comparable(expected));
  });
}

const resource = (service: string, extra: Record<string, string> = {}) => ({
  attributes: Object.entries({ 'service.name': service, ...extra }).map(([key, value]) => ({
    key,
    value: { stringValue: value },
  })),
});

const span = (fields: Partial<OtlpSpan> = {}): OtlpSpan => ({
  traceId: 'AB'.repeat(16),
  spanId: '01'.repeat(8),
  name: 'read counter',
  startTimeUnixNano: '1795768439452001999',
  endTimeUnixNano: '1795768439459348571',
  ...fields,
});

const one = (fields: Partial<OtlpSpan>) =>
  tracesFromOtlp({ resourceSpans: [{ resource: resource('backend'), scopeSpans: [{ spans: [span(fields)] }] }] })[0]
    ?.spans[0];

const tagCases: [string, Partial<OtlpSpan>, Record<string, unknown>][] = [
  ['a server span', { kind: 2 }, { 'span.kind': 'server' }],
  ['a kind by its enum name', { kind: 'SPAN_KIND_CLIENT' }, { 'span.kind': 'client' }],
  ['an unspecified kind', { kind: 0 }, { 'span.kind': undefined }],
  [
    'an error status with a message',
    { status: { code: 2, message: 'boom' } },
    { 'otel.status_code': 'ERROR', error: true, 'otel.status_description': 'boom' },
  ],
  ['an OK status', { status: { code: 'STATUS_CODE_OK' } }, { 'otel.status_code': 'OK', error: undefined }],
  ['an unset status', { status: {} }, { 'otel.status_code': undefined, error: undefined }],
  ['a trace state', { traceState: 'vendor=x' }, { 'w3c.tracestate': 'vendor=x' }],
  [
    'attributes of each type',
    {
      attributes: [
        { key: 'i', value: { intValue: '502' } },
        { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'b', value: { boolValue: false } },
        { key: 'bytes', value: { bytesValue: 'AQI=' } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } } },
        { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
        { key: 'empty' },
      ],
    },
    { i: 502, d: 1.5, b: false, bytes: 'AQI=', list: '["a",1]', map: '{"k":"v"}', empty: '' },
  ],
];

for (const [name, fields, expected] of tagCases) {
  test(`tags: ${name}`, (t) => {
    const converted = one(fields);
    if (!converted) throw new Error('no span');
    for (const [key, value] of Object.entries(expected)) t.is(tagOf(converted, key), value, key);
  });
}

test('times are whole microseconds, truncated as Jaeger truncates them', (t) => {
  t.like(one({}), { startTime: 1795768439452001, duration: 7346 });
});

test('ids are lower case, and a parent of zeros is no parent', (t) => {
  t.like(one({ parentSpanId: '0'.repeat(16) }), { traceID: 'ab'.repeat(16), spanID: '01'.repeat(8), references: [] });
  t.deepEqual(one({ parentSpanId: 'FF'.repeat(8) })?.references, [
    { refType: 'CHILD_OF', traceID: 'ab'.repeat(16), spanID: 'ff'.repeat(8) },
  ]);
});

test('links follow the parent reference', (t) => {
  const references = one({
    parentSpanId: 'ff'.repeat(8),
    links: [{ traceId: 'cd'.repeat(16), spanId: 'ee'.repeat(8) }],
  })?.references;
  t.deepEqual(references, [
    { refType: 'CHILD_OF', traceID: 'ab'.repeat(16), spanID: 'ff'.repeat(8) },
    { refType: 'FOLLOWS_FROM', traceID: 'cd'.repeat(16), spanID: 'ee'.repeat(8) },
  ]);
});

test('an event is a log whose first field is its name, under `event`', (t) => {
  const converted = one({
    events: [
      {
        timeUnixNano: '1795768439457626651',
        name: 'exception',
        attributes: [
          { key: 'exception.type', value: { stringValue: 'BackendError' } },
          { key: 'exception.message', value: { stringValue: 'Request failed' } },
        ],
      },
    ],
  });
  t.deepEqual(converted?.logs, [
    {
      timestamp: 1795768439457626,
      fields: [
        { key: 'event', type: 'string', value: 'exception' },
        { key: 'exception.message', type: 'string', value: 'Request failed' },
        { key: 'exception.type', type: 'string', value: 'BackendError' },
      ],
    },
  ]);
});

test('an answer of several traces splits by trace id; a resource is one process per trace', (t) => {
  const traces = tracesFromOtlp({
    resourceSpans: [
      {
        resource: resource('frontend'),
        scopeSpans: [{ spans: [span({ traceId: '1'.repeat(32) }), span({ traceId: '2'.repeat(32) })] }],
      },
      {
        resource: resource('frontend'),
        scopeSpans: [{ spans: [span({ traceId: '1'.repeat(32), spanId: '3'.repeat(16) })] }],
      },
      {
        resource: resource('backend', { 'container.name': 'queue-proxy' }),
        scopeSpans: [{ scope: { name: 'queue' }, spans: [span({ traceId: '1'.repeat(32), spanId: '4'.repeat(16) })] }],
      },
    ],
  });
  t.deepEqual(
    traces.map((trace) => trace.traceID),
    ['1'.repeat(32), '2'.repeat(32)],
  );
  const [first] = traces;
  if (!first) throw new Error('no trace');
  t.deepEqual(Object.keys(first.processes), ['p1', 'p2']);
  t.deepEqual(
    first.spans.map((candidate) => serviceOf(first, candidate)),
    ['frontend', 'frontend', 'backend/queue-proxy'],
  );
  t.is(tagOf(first.spans[2] as JaegerSpan, 'otel.scope.name'), 'queue');
});

test('nothing in the answer: no traces', (t) => {
  t.deepEqual(tracesFromOtlp({}), []);
});
