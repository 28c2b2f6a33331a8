// Bad requests a hostile or careless client sends, each with the precise status it must get from
// each entry of the backend; none of them may change the counter. Used by the tests and by
// `npm run faults`.
import type { Entry } from '../functions.ts';
import type { RawRequest } from '../raw-http.ts';

export interface BadRequestCase {
  what: string;
  request: RawRequest;
  /** The status for each entry: faas-js-runtime routes only /, for GET, POST and OPTIONS. */
  status: Record<Entry, number>;
}

const both = (status: number) => ({ faas: status, express: status });
const unrouted = { faas: 404, express: 405 };
const json = { 'content-type': 'application/json' };
export const FRESH_TRACE_RESPONSE = /^00-(?!0{32})[0-9a-f]{32}-[0-9a-f]{16}-01$/;

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
  },
  {
    what: 'a traceparent of an unknown version',
    request: { headers: { traceparent: 'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    status: both(200),
  },
  {
    what: 'a traceparent with an all-zero trace id',
    request: { headers: { traceparent: `00-${'0'.repeat(32)}-b7ad6b7169203331-01` } },
    status: both(200),
  },
  {
    what: 'a traceparent of 5 KB',
    request: { headers: { traceparent: `00-${'a'.repeat(5000)}-01` } },
    status: both(200),
  },
  {
    what: 'a tracestate of 100 members',
    request: {
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: Array.from({ length: 100 }, (_, index) => `k${index}=v${index}`).join(','),
      },
    },
    status: both(200),
  },
  {
    what: 'a malformed tracestate',
    request: {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '===,,,;;' },
    },
    status: both(200),
  },
  { what: 'a baggage of 8 KB', request: { headers: { baggage: `k=${'v'.repeat(8000)}` } }, status: both(200) },
  { what: 'a malformed baggage', request: { headers: { baggage: '%%%;;;=,=' } }, status: both(200) },
];
