// npm run load's visits, against a real server on loopback: they carry no traceparent of their own
// (the frontend must make the sampling decision, as for a visitor), and each answer's traceresponse
// says whether its visit was sampled.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import test from 'ava';
import { runLoad } from '../../tools/load/run.ts';
import { listenOnLoopback } from '../helpers/loopback-http.ts';

test('visits send no traceparent, and read the sampled flag of each traceresponse', async (t) => {
  const seen: IncomingHttpHeaders[] = [];
  const flags = ['01', '00', '03', '02'];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    const flag = flags[(seen.length - 1) % flags.length];
    const traceId = String(seen.length).padStart(32, '0');
    response.setHeader('traceresponse', `00-${traceId}-00f067aa0ba902b7-${flag}`);
    response.end(`Hello, World!\n\nYou're visitor number ${seen.length} in here!\n`);
  });
  const url = await listenOnLoopback(t, server);
  const results = await runLoad({ url, visits: 4, concurrency: 1 });
  t.deepEqual(
    seen.map((headers) => [headers.traceparent, headers.tracestate]),
    seen.map(() => [undefined, undefined]),
  );
  t.deepEqual(
    results.map(({ visitor, traceId, sampled }) => [visitor, traceId?.slice(-1), sampled]),
    [
      [1, '1', true],
      [2, '2', false],
      [3, '3', true],
      [4, '4', false],
    ],
  );
});

test('an answer without traceresponse names no trace and says nothing of sampling', async (t) => {
  const url = await listenOnLoopback(
    t,
    createServer((_request, response) => response.end("You're visitor number 1 in here!\n")),
  );
  const [result] = await runLoad({ url, visits: 1, concurrency: 1 });
  t.deepEqual(result && { traceId: result.traceId, sampled: result.sampled }, {
    traceId: undefined,
    sampled: undefined,
  });
});

test("--host: every visit carries that Host header, as an ingress that routes by name needs, and is read as fetch's are", async (t) => {
  const hosts: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    hosts.push(request.headers.host);
    response.setHeader('traceresponse', `00-${'1'.padStart(32, '0')}-00f067aa0ba902b7-01`);
    response.end(`You're visitor number ${hosts.length} in here!\n`);
  });
  const url = await listenOnLoopback(t, server);
  const results = await runLoad({ url, host: 'frontend.default.example.com', visits: 2, concurrency: 1 });
  t.deepEqual(hosts, ['frontend.default.example.com', 'frontend.default.example.com']);
  t.deepEqual(
    results.map(({ status, visitor, sampled }) => [status, visitor, sampled]),
    [
      [200, 1, true],
      [200, 2, true],
    ],
  );
});

test('--host: a visit that gets no answer is a failure with the reason, as without it', async (t) => {
  const url = await listenOnLoopback(
    t,
    createServer((request) => request.socket.destroy()),
  );
  const [result] = await runLoad({ url, host: 'frontend.default.example.com', visits: 1, concurrency: 1 });
  t.is(result?.status, 0);
  t.regex(result?.error ?? '', /socket hang up/);
});
