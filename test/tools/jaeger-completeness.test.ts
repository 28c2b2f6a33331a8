// When a trace is whole: real visits recorded from Jaeger (a good one, one whose backend was down),
// cut the ways batches arrive apart, and a trace shaped like one in the Knative cluster (Traefik's
// span the root, the activator's and queue-proxies' between our spans), cut the same ways.
import { readFile } from 'node:fs/promises';
import test from 'ava';
import { describeGap, gapsOf, isWhole, type TraceGap } from '../../tools/jaeger/completeness.ts';
import { type JaegerTrace, serviceOf } from '../../tools/jaeger/query.ts';

const recorded = JSON.parse(
  await readFile(new URL('../fixtures/jaeger/api-traces.json', import.meta.url), 'utf8'),
) as Record<'ok' | 'failed', JaegerTrace>;

/** The trace without the spans `drop` picks (by service and operation), as if their batch were still to come. */
function without(trace: JaegerTrace, drop: (service: string, operation: string) => boolean): JaegerTrace {
  return { ...trace, spans: trace.spans.filter((span) => !drop(serviceOf(trace, span), span.operationName)) };
}

/** The trace with one span's tags changed. */
function retagged(trace: JaegerTrace, operation: string, tags: Record<string, unknown>): JaegerTrace {
  return {
    ...trace,
    spans: trace.spans.map((span) =>
      span.operationName === operation
        ? {
            ...span,
            tags: [
              ...span.tags.filter((tag) => !(tag.key in tags)),
              ...Object.entries(tags).map(([key, value]) => ({ key, type: typeof value, value })),
            ],
          }
        : span,
    ),
  };
}

/** [span id, service, operation, kind, parent id] */
type Row = [string, string, string, string, string?];

/** A trace of spans of several services, each service its own process; `failed` spans have status ERROR. */
function build(rows: Row[], failed: string[] = []): JaegerTrace {
  const services = [...new Set(rows.map(([, service]) => service))];
  const processes = Object.fromEntries(
    services.map((service, index) => {
      const [name = '', container] = service.split('/');
      const tags = container ? [{ key: 'container.name', value: container }] : [];
      return [`p${index + 1}`, { serviceName: name, tags }];
    }),
  );
  return {
    traceID: 'k1',
    processes,
    spans: rows.map(([id, service, operation, kind, parent]) => ({
      traceID: 'k1',
      spanID: id,
      operationName: operation,
      references: parent ? [{ refType: 'CHILD_OF', traceID: 'k1', spanID: parent }] : [],
      startTime: 0,
      duration: 1,
      tags: [
        { key: 'span.kind', type: 'string', value: kind },
        ...(failed.includes(id) ? [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }] : []),
      ],
      logs: [],
      processID: `p${services.indexOf(service) + 1}`,
    })),
  };
}

/** A visit through the cluster: Traefik → activator → queue-proxy → frontend → queue-proxy → backend. */
const KNATIVE: Row[] = [
  ['t1', 'traefik', 'EntryPoint', 'server'],
  ['t2', 'traefik', 'Router', 'internal', 't1'],
  ['t3', 'traefik', 'ReverseProxy', 'client', 't2'],
  ['a1', 'activator', 'activator_proxy', 'server', 't3'],
  ['a2', 'activator', 'throttler_try', 'internal', 'a1'],
  ['a3', 'activator', 'activator_proxy_call', 'client', 'a1'],
  ['q1', 'frontend/queue-proxy', 'queue_proxy', 'server', 'a3'],
  ['q2', 'frontend/queue-proxy', 'queue_proxy_call', 'client', 'q1'],
  ['f1', 'frontend', 'GET /', 'server', 'q2'],
  ['f2', 'frontend', 'GET', 'client', 'f1'],
  ['f3', 'frontend', 'POST', 'client', 'f1'],
  ['b1', 'backend/queue-proxy', 'queue_proxy', 'server', 'f2'],
  ['b2', 'backend/queue-proxy', 'queue_proxy_call', 'client', 'b1'],
  ['b3', 'backend', 'GET /', 'server', 'b2'],
  ['b4', 'backend', 'read counter', 'internal', 'b3'],
  ['b5', 'backend/queue-proxy', 'queue_proxy', 'server', 'f3'],
  ['b6', 'backend/queue-proxy', 'queue_proxy_call', 'client', 'b5'],
  ['b7', 'backend', 'POST /', 'server', 'b6'],
  ['b8', 'backend', 'simulate lag', 'internal', 'b7'],
  ['b9', 'backend', 'increase counter', 'internal', 'b7'],
];
const knative = (keep: (row: Row) => boolean = () => true, failed: string[] = []) =>
  build(KNATIVE.filter(keep), failed);

/** A visit on this machine in Redis mode: the backend's Redis commands are calls with no callee's span. */
const REDIS: Row[] = [
  ['f1', 'frontend', 'GET /', 'server'],
  ['f2', 'frontend', 'GET', 'client', 'f1'],
  ['f3', 'frontend', 'POST', 'client', 'f1'],
  ['b1', 'backend', 'GET /', 'server', 'f2'],
  ['b2', 'backend', 'read counter', 'internal', 'b1'],
  ['r1', 'backend', 'get', 'client', 'b2'],
  ['b3', 'backend', 'POST /', 'server', 'f3'],
  ['b4', 'backend', 'simulate lag', 'internal', 'b3'],
  ['b5', 'backend', 'increase counter', 'internal', 'b3'],
  ['r2', 'backend', 'incr', 'client', 'b5'],
];
const redisVisit = retagged(retagged(build(REDIS), 'get', { 'db.system.name': 'redis' }), 'incr', {
  'db.system.name': 'redis',
});

const cases: [string, JaegerTrace, TraceGap[]][] = [
  ['Redis mode: the calls to Redis need no callee (a database makes no spans)', redisVisit, []],
  [
    'Redis mode: the same calls without db.system.name would be waiting for one',
    build(REDIS),
    [
      { kind: 'unanswered-call', spanId: 'r1' },
      { kind: 'unanswered-call', spanId: 'r2' },
    ],
  ],
  [
    "Redis mode: the frontend's batch only still lacks the backend",
    without(redisVisit, (service) => service === 'backend'),
    [
      { kind: 'unanswered-call', spanId: 'f2' },
      { kind: 'unanswered-call', spanId: 'f3' },
    ],
  ],
  ['a recorded visit, all 8 spans', recorded.ok, []],
  ['a recorded visit whose backend was down: its failed call needs no callee', recorded.failed, []],
  [
    "the frontend's batch only: both calls lack the backend's server span",
    without(recorded.ok, (service) => service === 'backend'),
    [
      { kind: 'unanswered-call', spanId: 'ca95c3dd7f349198' },
      { kind: 'unanswered-call', spanId: '26492b27c262d936' },
    ],
  ],
  [
    "the backend's batch only: no root, and its server spans' parents missing",
    without(recorded.ok, (service) => service === 'frontend'),
    [
      { kind: 'roots', count: 0 },
      { kind: 'missing-parent', spanId: '22b421990bd715a4', parentId: '26492b27c262d936' },
      { kind: 'missing-parent', spanId: '079a052e487ba5a3', parentId: 'ca95c3dd7f349198' },
    ],
  ],
  [
    'the frontend server span missing alone',
    without(recorded.ok, (service, operation) => service === 'frontend' && operation === 'GET /'),
    [
      { kind: 'roots', count: 0 },
      { kind: 'missing-parent', spanId: 'ca95c3dd7f349198', parentId: '2fa4fb9204d5ceeb' },
      { kind: 'missing-parent', spanId: '26492b27c262d936', parentId: '2fa4fb9204d5ceeb' },
    ],
  ],
  [
    'a call whose status is OK still needs its callee',
    retagged(
      without(
        recorded.ok,
        (service, operation) => service === 'backend' && operation !== 'GET /' && operation !== 'read counter',
      ),
      'POST',
      { 'otel.status_code': 'OK' },
    ),
    [{ kind: 'unanswered-call', spanId: '26492b27c262d936' }],
  ],
  [
    'a call marked failed by the error tag alone needs no callee',
    retagged(
      without(
        recorded.ok,
        (service, operation) => service === 'backend' && operation !== 'GET /' && operation !== 'read counter',
      ),
      'POST',
      { error: true },
    ),
    [],
  ],
  ['no spans at all', { ...recorded.ok, spans: [] }, [{ kind: 'roots', count: 0 }]],
  [
    'two traces in one id, each with a root',
    build([
      ['r1', 'frontend', 'GET /', 'server'],
      ['r2', 'frontend', 'GET /', 'server'],
    ]),
    [{ kind: 'roots', count: 2 }],
  ],
  ['the cluster: every hop, Traefik the root', knative(), []],
  [
    "the cluster: all but Traefik's root, which ends last and often comes last",
    knative(([id]) => id !== 't1'),
    [
      { kind: 'roots', count: 0 },
      { kind: 'missing-parent', spanId: 't2', parentId: 't1' },
    ],
  ],
  [
    "the cluster: the backend's queue-proxy not yet sent",
    knative(([, service]) => service !== 'backend/queue-proxy'),
    [
      { kind: 'missing-parent', spanId: 'b3', parentId: 'b2' },
      { kind: 'missing-parent', spanId: 'b7', parentId: 'b6' },
      { kind: 'unanswered-call', spanId: 'f2' },
      { kind: 'unanswered-call', spanId: 'f3' },
    ],
  ],
  [
    "the cluster: the backend's own spans not yet sent",
    knative(([, service]) => service !== 'backend'),
    [
      { kind: 'unanswered-call', spanId: 'b2' },
      { kind: 'unanswered-call', spanId: 'b6' },
    ],
  ],
  [
    "the cluster: the backend down, queue-proxy's call failed",
    knative(([, service]) => service !== 'backend', ['b2', 'b6']),
    [],
  ],
];

/** The backend's Redis commands: CLIENT spans whose callee reports none of its own. */
function withRedisCall(trace: JaegerTrace, attribute: 'db.system' | 'db.system.name'): JaegerTrace {
  const parent = trace.spans.find((span) => span.spanID === 'b9');
  if (!parent) throw new Error('no increase counter span');
  const call = {
    ...parent,
    spanID: 'r1',
    operationName: 'incr',
    references: [{ refType: 'CHILD_OF', traceID: parent.traceID, spanID: 'b9' }],
    tags: [
      { key: 'span.kind', type: 'string', value: 'client' },
      { key: attribute, type: 'string', value: 'redis' },
    ],
  };
  return { ...trace, spans: [...trace.spans, call] };
}
cases.push(
  [
    "the cluster with a Redis command (db.system): a database's call needs no callee",
    withRedisCall(knative(), 'db.system'),
    [],
  ],
  ['the same with the newer attribute, db.system.name', withRedisCall(knative(), 'db.system.name'), []],
);

for (const [title, trace, gaps] of cases) {
  test(title, (t) => {
    t.deepEqual(gapsOf(trace), gaps);
    t.is(isWhole(trace), gaps.length === 0);
  });
}

test('gaps are named by service and operation', (t) => {
  const trace = knative(([, service]) => service !== 'backend/queue-proxy' && service !== 'traefik');
  t.deepEqual(
    gapsOf(trace).map((gap) => describeGap(trace, gap)),
    [
      'no root span',
      'the parent of activator "activator_proxy" is missing',
      'the parent of backend "GET /" is missing',
      'the parent of backend "POST /" is missing',
      'the call frontend "GET" has no span of its callee',
      'the call frontend "POST" has no span of its callee',
    ],
  );
});
