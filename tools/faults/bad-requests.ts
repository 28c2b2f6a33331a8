// Bad requests a hostile or careless client sends, each with the precise status it must get from
// each entry of the backend and, for trace context headers, what becomes of the caller's trace; none
// of them may change the counter. Used by the tests and by `npm run faults`.
import type { Entry, ProcessEntry } from '../functions/run.ts';
import type { RawRequest } from '../processes/raw-http.ts';
import { callerTraceparent, type TraceContextOutcome } from './trace-context.ts';

export interface BadRequestCase {
  what: string;
  request: RawRequest;
  /** The status for each entry: faas-js-runtime routes only /, for GET, POST and OPTIONS. */
  status: Record<ProcessEntry, number>;
  /** For requests that carry trace context: what the function makes of it (see trace-context.ts). */
  context?: TraceContextOutcome;
}

/** The status a case expects of an entry; the container image runs the express entry. */
export function expectedStatus({ status }: BadRequestCase, entry: Entry): number {
  return status[entry === 'container' ? 'express' : entry];
}

const both = (status: number) => ({ faas: status, express: status });
const unrouted = { faas: 404, express: 405 };
const json = { 'content-type': 'application/json' };
const caller = callerTraceparent('0af7651916cd43dd8448eb211c80319c');
const ignored = 'ignored' as const;

export const BAD_REQUESTS: BadRequestCase[] = [
  { what: 'PUT /', request: { method: 'PUT', body: '0' }, status: unrouted },
  { what: 'DELETE /', request: { method: 'DELETE' }, status: unrouted },
  {
    what: 'PATCH / setting a value',
    request: { method: 'PATCH', headers: json, body: '{"value":0}' },
    status: unrouted,
  },
  { what: 'TRACE /', request: { method: 'TRACE' }, status: unrouted },
  { what: 'PROPFIND /', request: { method: 'PROPFIND' }, status: unrouted },
  { what: 'an unknown path', request: { path: '/counter/reset' }, status: both(404) },
  { what: 'a path that climbs', request: { path: '/../../etc/passwd' }, status: both(404) },
  { what: 'POST to an unknown path', request: { method: 'POST', path: '/reset' }, status: both(404) },
  {
    what: 'POST setting a value in JSON',
    request: { method: 'POST', headers: json, body: '{"value":0}' },
    status: both(400),
  },
  {
    what: 'POST with malformed JSON',
    request: { method: 'POST', headers: json, body: '{"value":' },
    status: both(400),
  },
  {
    what: 'POST with a text body',
    request: { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'set=0' },
    status: both(400),
  },
  {
    what: 'POST with a body over 1 MiB',
    request: {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(2 * 1024 * 1024),
    },
    status: both(413),
  },
  { what: 'GET /?method=POST', request: { path: '/?method=POST' }, status: { faas: 400, express: 200 } },
  {
    what: 'HEAD /?method=POST',
    request: { method: 'HEAD', path: '/?method=POST' },
    status: { faas: 400, express: 200 },
  },
  { what: 'a URL of 20 KB', request: { path: `/?${'a'.repeat(20_000)}` }, status: both(431) },
  { what: 'a header of 20 KB', request: { headers: { 'x-padding': 'a'.repeat(20_000) } }, status: both(431) },
  {
    what: 'a traceparent that is not one',
    request: { headers: { traceparent: 'not-a-traceparent' } },
    status: both(200),
    context: ignored,
  },
  {
    what: 'a traceparent of an unknown version',
    request: { headers: { traceparent: 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    status: both(200),
    context: ignored,
  },
  {
    what: 'a traceparent with an all-zero trace id',
    request: { headers: { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` } },
    status: both(200),
    context: ignored,
  },
  {
    what: 'a traceparent of 5 KB',
    request: { headers: { traceparent: `00-${'a'.repeat(5000)}-01` } },
    status: both(200),
    context: ignored,
  },
  // Beside a valid traceparent, a tracestate never breaks the trace: the caller's trace continues, and
  // OpenTelemetry keeps what it can of the tracestate, silently: the first 32 well-formed members
  // (lower-case key, printable value up to 256 characters without "," or "="), and only while the
  // whole stays within 512 characters; a repeated key keeps its last value.
  {
    what: 'a tracestate of 100 members',
    request: {
      headers: {
        traceparent: caller,
        tracestate: Array.from({ length: 100 }, (_, index) => `k${index}=v${index}`).join(','),
      },
    },
    status: both(200),
    context: { traceState: Array.from({ length: 32 }, (_, index) => `k${index}=v${index}`).join(',') },
  },
  {
    what: 'a tracestate of 30 members, 1,200 characters',
    request: {
      headers: {
        traceparent: caller,
        tracestate: Array.from({ length: 30 }, (_, index) => `k${index + 10}=${'x'.repeat(36)}`).join(','),
      },
    },
    status: both(200),
    context: { traceState: Array.from({ length: 12 }, (_, index) => `k${index + 10}=${'x'.repeat(36)}`).join(',') },
  },
  {
    what: 'a tracestate member of 8 KB',
    request: { headers: { traceparent: caller, tracestate: `big=${'v'.repeat(8000)},ok=1` } },
    status: both(200),
    context: { traceState: 'ok=1' },
  },
  {
    what: 'a malformed tracestate',
    request: { headers: { traceparent: caller, tracestate: '===,,,;;' } },
    status: both(200),
    context: { traceState: undefined },
  },
  {
    what: 'a tracestate of bad and good members',
    request: { headers: { traceparent: caller, tracestate: 'good=1,BAD=2,=3,x,y=a=b,z=ok' } },
    status: both(200),
    context: { traceState: 'good=1,z=ok' },
  },
  {
    what: 'a tracestate with markup and a repeated key',
    request: { headers: { traceparent: caller, tracestate: 'evil=<script>alert(1)</script>,a=1,a=2' } },
    status: both(200),
    context: { traceState: 'evil=<script>alert(1)</script>,a=2' },
  },
  {
    what: 'a tracestate beside an invalid traceparent',
    request: { headers: { traceparent: 'not-a-traceparent', tracestate: 'evil=1' } },
    status: both(200),
    context: ignored,
  },
  { what: 'a tracestate alone', request: { headers: { tracestate: 'evil=1' } }, status: both(200), context: ignored },
  {
    what: 'a valid traceparent that says not to sample',
    request: { headers: { traceparent: callerTraceparent('5ee0f0e2b4c24d9c8a8e3e5b52b6d2a1', '00') } },
    status: both(200),
    context: 'unsampled',
  },
  {
    what: 'a baggage of 8 KB',
    request: { headers: { baggage: `k=${'v'.repeat(8000)}` } },
    status: both(200),
    context: ignored,
  },
  { what: 'a malformed baggage', request: { headers: { baggage: '%%%;;;=,=' } }, status: both(200), context: ignored },
];
