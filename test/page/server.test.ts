// The trace page's server over real HTTP, against a real Jaeger fed by the real functions: its JSON
// is what the tools compute from Jaeger's traces, and every wrong request gets its own status.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { diagnose } from '../../tools/diagnose/analyze.ts';
import { operationTable, verdictLines } from '../../tools/diagnose/report.ts';
import { fetchTraces } from '../../tools/jaeger/query.ts';
import { waitForTraces } from '../../tools/jaeger/wait.ts';
import { runLoad } from '../../tools/load/run.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, startTracePage } from '../../tools/page/server.ts';
import { findFreePort } from '../../tools/processes/ports.ts';
import { getWithHost } from '../helpers/host-header.ts';
import { startTestSystem } from '../helpers/system.ts';

async function tracedPage(t: ExecutionContext, visits: number) {
  const { frontend, jaeger } = await startTestSystem(t, { backendEnv: { LAG_MIN_MS: '5', LAG_MAX_MS: '30' } });
  if (!jaeger) throw new Error('tracing is on in this test');
  const results = await runLoad({ url: frontend.url, visits, concurrency: 2 });
  await waitForTraces(jaeger.queryUrl, 'frontend', visits, { complete: (trace) => trace.spans.length === 8 });
  const page = await startTracePage({ port: 0, jaegerUrl: jaeger.queryUrl, frontendUrl: frontend.url });
  t.teardown(() => page.close());
  return { page, jaeger, frontend, results };
}

test('the API answers the visits, the diagnosis and a trace as the tools compute them', async (t) => {
  const { page, jaeger, results } = await tracedPage(t, 4);
  const traces = await fetchTraces(jaeger.queryUrl, 'frontend', DEFAULT_LIMIT);

  const visits = await fetch(`${page.url}/api/visits`);
  t.is(visits.status, 200);
  t.is(visits.headers.get('content-type'), 'application/json; charset=utf-8');
  const body = (await visits.json()) as {
    visits: { traceId: string; visitor: number; status: number; error: boolean; spans: number }[];
    histogram: { count: number }[];
    jaeger: string;
    service: string;
  };
  t.like(body, { jaeger: jaeger.queryUrl, service: 'frontend' });
  t.deepEqual(
    body.visits.map((visit) => visit.traceId),
    traces.map((trace) => trace.traceID),
    'newest first',
  );
  for (const result of results) {
    t.like(
      body.visits.find((visit) => visit.traceId === result.traceId),
      {
        visitor: result.visitor,
        status: 200,
        error: false,
        spans: 8,
      },
    );
  }
  t.is(
    body.histogram.reduce((sum, bin) => sum + bin.count, 0),
    4,
  );

  // Nothing new: the same ETag answers 304, and the browser redraws nothing.
  const again = await fetch(`${page.url}/api/visits`, {
    headers: { 'if-none-match': visits.headers.get('etag') ?? '' },
  });
  t.is(again.status, 304);
  const limited = (await (await fetch(`${page.url}/api/visits?limit=2`)).json()) as { visits: unknown[] };
  t.is(limited.visits.length, 2);

  const diagnosis = await (await fetch(`${page.url}/api/diagnosis`)).json();
  const expected = diagnose(traces);
  t.like(diagnosis, {
    traces: 4,
    bottleneck: JSON.parse(JSON.stringify(expected.bottleneck)),
    table: operationTable(expected),
    verdict: verdictLines(expected),
  });

  const traceId = results[0]?.traceId ?? '';
  const trace = (await (await fetch(`${page.url}/api/traces/${traceId.toUpperCase()}`)).json()) as {
    traceId: string;
    spans: { service: string; operation: string; critical: boolean }[];
  };
  t.is(trace.traceId, traceId);
  t.is(trace.spans.length, 8);
  t.true(trace.spans.some((span) => span.critical));
});

test('the page and its files are served as files, with a policy that lets nothing in from elsewhere', async (t) => {
  const page = await startTracePage({ port: 0, jaegerUrl: `http://127.0.0.1:${await findFreePort()}` });
  t.teardown(() => page.close());
  for (const [path, type] of [
    ['/', 'text/html; charset=utf-8'],
    ['/trace/0123456789abcdef0123456789abcdef', 'text/html; charset=utf-8'],
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'text/css; charset=utf-8'],
  ] as const) {
    const response = await fetch(`${page.url}${path}`);
    t.is(response.status, 200, path);
    t.is(response.headers.get('content-type'), type, path);
    t.regex(response.headers.get('content-security-policy') ?? '', /^default-src 'self'/);
    const text = await response.text();
    t.notRegex(text, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/, `${path} names no address elsewhere`);
  }
  const head = await fetch(`${page.url}/app.js`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '');
});

const refusals: [string, RequestInit, number, RegExp][] = [
  ['/nowhere', {}, 404, /^Not found: \/nowhere/],
  ['/../package.json', {}, 404, /^Not found/],
  ['/api/nowhere', {}, 404, /"error":"No such API: \/api\/nowhere"/],
  ['/', { method: 'POST' }, 405, /^Method POST not allowed/],
  ['/api/visits', { method: 'DELETE' }, 405, /"error":"Method DELETE not allowed/],
  ['/trace/not-an-id', {}, 400, /^Not a trace id: "not-an-id"/],
  ['/api/traces/xyz', {}, 400, /"error":"Not a trace id: \\"xyz\\"/],
  ['/api/traces/%E0%A4%A', {}, 400, /"error":"Not a trace id/],
  [`/api/traces/${'a'.repeat(33)}`, {}, 400, /"error":"Not a trace id/],
  [
    '/api/visits?limit=0',
    {},
    400,
    new RegExp(`"error":"limit is \\\\"0\\\\": expected a whole number from 1 to ${MAX_LIMIT}"`),
  ],
  ['/api/diagnosis?limit=many', {}, 400, /"error":"limit is \\"many\\"/],
];

test('wrong paths, methods, trace ids and limits each get their status; an unknown trace 404', async (t) => {
  const { page } = await tracedPage(t, 1);
  for (const [path, init, status, message] of refusals) {
    const response = await fetch(`${page.url}${path}`, init);
    t.is(response.status, status, `${init.method ?? 'GET'} ${path}`);
    t.regex(await response.text(), message, path);
    if (status === 405) t.is(response.headers.get('allow'), 'GET, HEAD');
  }
  const unknown = await fetch(`${page.url}/api/traces/0123456789abcdef0123456789abcdef`);
  t.is(unknown.status, 404);
  t.regex(await unknown.text(), /Jaeger has no trace 0123456789abcdef0123456789abcdef \(yet: spans arrive/);
});

test('Jaeger down: each API answers 502 and says Jaeger is unreachable', async (t) => {
  const nowhere = `http://127.0.0.1:${await findFreePort()}`;
  const page = await startTracePage({ port: 0, jaegerUrl: nowhere });
  t.teardown(() => page.close());
  for (const path of ['/api/visits', '/api/diagnosis', '/api/traces/0123456789abcdef0123456789abcdef']) {
    const response = await fetch(`${page.url}${path}`);
    t.is(response.status, 502, path);
    const { error } = (await response.json()) as { error: string };
    t.regex(error, new RegExp(`^Jaeger is unreachable: GET ${nowhere}/api/v3/traces.*ECONNREFUSED`), path);
  }
});

test('a port already taken is refused with the port named', async (t) => {
  const page = await startTracePage({ port: 0, jaegerUrl: 'http://127.0.0.1:1' });
  t.teardown(() => page.close());
  await t.throwsAsync(startTracePage({ port: page.port, jaegerUrl: 'http://127.0.0.1:1' }), {
    name: 'PagePortError',
    message: new RegExp(`^The trace page cannot listen on 127\\.0\\.0\\.1:${page.port}: .*EADDRINUSE`),
  });
});

test('a Host the page is not served under is refused (DNS rebinding), its own names answered', async (t) => {
  const page = await startTracePage({ port: 0, jaegerUrl: `http://127.0.0.1:${await findFreePort()}` });
  t.teardown(() => page.close());
  for (const host of ['evil.example', `evil.example:${page.port}`, 'localhost', `localhost:${page.port + 1}`]) {
    for (const path of ['/', '/api/visits']) {
      const answer = await getWithHost(`${page.url}${path}`, host);
      t.is(answer.status, 403, `${host} ${path}`);
      t.regex(answer.body, new RegExp(`is not where the trace page is served: use localhost:${page.port}`));
    }
  }
  for (const host of [`localhost:${page.port}`, `127.0.0.1:${page.port}`, `LOCALHOST:${page.port}`]) {
    t.is((await getWithHost(`${page.url}/`, host)).status, 200, host);
  }
  // No page elsewhere may frame it.
  const response = await fetch(`${page.url}/`);
  t.regex(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  t.is(response.headers.get('x-frame-options'), 'DENY');
});

test("a fault of the page's own answers 500 without its message or stack", async (t) => {
  // Something at Jaeger's address that answers JSON of another shape: the page's own code then fails.
  const odd = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ result: { resourceSpans: [{ scopeSpans: 7 }] } }));
  });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => odd.close(() => resolve())));
  const page = await startTracePage({ port: 0, jaegerUrl: `http://127.0.0.1:${(odd.address() as AddressInfo).port}` });
  t.teardown(() => page.close());
  const response = await fetch(`${page.url}/api/visits`);
  t.is(response.status, 500);
  t.deepEqual(await response.json(), { error: 'Internal error of the trace page; its log says what.' });
});
