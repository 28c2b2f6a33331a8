// The wait for a load's traces, with Jaeger's answers given round by round (the real wait, against a
// real Jaeger, is test/e2e/load-traces.test.ts), and the report's line on them.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { JaegerQueryError, type JaegerTrace } from '../../tools/jaeger/query.ts';
import { renderTraceWait, type TraceWait, waitForWholeTraces } from '../../tools/load/traces.ts';

const recorded = JSON.parse(
  await readFile(new URL('../fixtures/jaeger/api-traces.json', import.meta.url), 'utf8'),
) as Record<'ok' | 'failed', JaegerTrace>;
/** The recorded visit as it looks before the backend's batch has come. */
const frontendOnly: JaegerTrace = {
  ...recorded.ok,
  spans: recorded.ok.spans.filter((span) => recorded.ok.processes[span.processID]?.serviceName === 'frontend'),
};

/** A Jaeger whose answers for each trace id come in turn, the last one repeated. */
function answering(rounds: Record<string, (JaegerTrace | undefined)[]>) {
  const asked: string[] = [];
  const fetchTrace = async (_url: string, id: string) => {
    asked.push(id);
    const answers = rounds[id] ?? [];
    return answers.length > 1 ? answers.shift() : answers[0];
  };
  return { asked, fetchTrace };
}

test('asks again only for the traces not yet whole, until all are', async (t) => {
  const jaeger = answering({ a: [undefined, frontendOnly, recorded.ok], b: [recorded.failed] });
  const progress: string[] = [];
  const wait = await waitForWholeTraces({
    queryUrl: 'http://jaeger',
    traceIds: ['a', 'b', 'a'],
    timeoutMs: 10_000,
    intervalMs: 1,
    onProgress: ({ whole, total }) => progress.push(`${whole}/${total}`),
    fetchTrace: jaeger.fetchTrace,
  });
  t.like(wait, { total: 2, whole: 2, incomplete: [], missing: [] });
  t.deepEqual(progress, ['1/2', '1/2', '2/2']);
  t.deepEqual(jaeger.asked.sort(), ['a', 'a', 'a', 'b']);
});

test('at the deadline, names the traces missing and those incomplete, with what they lack', async (t) => {
  const jaeger = answering({ a: [frontendOnly], b: [undefined], c: [recorded.ok] });
  const wait = await waitForWholeTraces({
    queryUrl: 'http://jaeger',
    traceIds: ['a', 'b', 'c'],
    timeoutMs: 50,
    intervalMs: 10,
    fetchTrace: jaeger.fetchTrace,
  });
  t.like(wait, { total: 3, whole: 1, missing: ['b'] });
  t.deepEqual(wait.incomplete, [
    {
      traceId: 'a',
      gaps: ['the call frontend "GET" has no span of its callee', 'the call frontend "POST" has no span of its callee'],
    },
  ]);
  t.true(wait.waitedMs >= 50);
});

test('stops at once when Jaeger cannot be asked', async (t) => {
  let asked = 0;
  const wait = await waitForWholeTraces({
    queryUrl: 'http://jaeger',
    traceIds: ['a'],
    timeoutMs: 10_000,
    fetchTrace: async () => {
      asked += 1;
      throw new JaegerQueryError('Jaeger is unreachable: GET http://jaeger/api/v3/traces/a: connect ECONNREFUSED');
    },
  });
  t.is(asked, 1);
  t.is(wait.unreachable, 'Jaeger is unreachable: GET http://jaeger/api/v3/traces/a: connect ECONNREFUSED');
});

const waited = (fields: Partial<TraceWait>): TraceWait => ({
  total: 16,
  whole: 16,
  incomplete: [],
  missing: [],
  waitedMs: 4321,
  ...fields,
});

const lines: [string, TraceWait, RegExp][] = [
  ['all whole', waited({}), /^Traces: all 16 whole in Jaeger after 4\.32 s, read from http:\/\/jaeger$/],
  [
    'some missing, some incomplete: a warning with the likely causes',
    waited({
      whole: 13,
      missing: ['x', 'y'],
      incomplete: [{ traceId: 'z', gaps: ['no root span'] }],
      waitedMs: 15_000,
    }),
    /^Traces: WARNING: 3 of 16 not whole in Jaeger after 15\.00 s, read from http:\/\/jaeger: 2 not there, 1 incomplete \(no root span\)\.\n.*queued in a function \(OTEL_BSP_SCHEDULE_DELAY\), Jaeger may be down/s,
  ],
  [
    'Jaeger unreachable',
    waited({ whole: 0, unreachable: 'Jaeger is unreachable: GET http://jaeger/api/v3/traces/a: ECONNREFUSED' }),
    /^Traces: not checked: Jaeger is unreachable: GET http:\/\/jaeger\/api\/v3\/traces\/a: ECONNREFUSED$/,
  ],
];
for (const [title, wait, line] of lines) {
  test(`the report's line: ${title}`, (t) => {
    t.regex(renderTraceWait(wait, 'http://jaeger'), line);
  });
}
