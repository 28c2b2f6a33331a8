// Jaeger's stable query API (/api/v3) answers OTLP JSON. Its callers here read the model of the
// UI's /api/traces (JaegerTrace), so this turns the one into the other the way Jaeger itself does
// for that API (its OTLP-to-Jaeger translator, then its tag-sorting adjuster): the same tags
// (`span.kind`, `otel.status_code`, `error`, `otel.scope.name`, ...), the same log fields, the same
// microseconds.
import type { JaegerSpan, JaegerTrace } from './query.ts';

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64, which OTLP JSON writes as a string. */
  intValue?: string | number;
  doubleValue?: number | string;
  /** base64 */
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

export interface OtlpSpan {
  /** hex */
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name?: string;
  /** The enum's number, or its name. */
  kind?: number | string;
  /** Nanoseconds since the epoch, as a string (beyond a double's precision). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  events?: { timeUnixNano: string; name?: string; attributes?: OtlpKeyValue[] }[];
  links?: { traceId: string; spanId: string; attributes?: OtlpKeyValue[] }[];
  status?: { code?: number | string; message?: string };
}

export interface OtlpTracesData {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

type Tag = JaegerSpan['tags'][number];
type Process = JaegerTrace['processes'][string];

/** Indexed by OTLP's SpanKind. */
const SPAN_KINDS = ['', 'internal', 'server', 'client', 'producer', 'consumer'];
const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const STATUS_OK = 1;
const STATUS_ERROR = 2;

/** An OTLP enum as its number: JSON may carry `2` or `"SPAN_KIND_SERVER"`. */
function enumNumber(value: number | string | undefined, names: string[]): number {
  if (typeof value === 'number') return value;
  const index = names.indexOf(String(value ?? ''));
  return Math.max(index, 0);
}

/** The value as Go's pcommon.Value.AsRaw gives it, which Jaeger writes as JSON for arrays and maps. */
function rawOf(value: OtlpAnyValue | undefined): unknown {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(rawOf);
  if (value.kvlistValue) {
    return Object.fromEntries((value.kvlistValue.values ?? []).map((entry) => [entry.key, rawOf(entry.value)]));
  }
  return null;
}

function tagOf({ key, value = {} }: OtlpKeyValue): Tag {
  if (value.stringValue !== undefined) return { key, type: 'string', value: value.stringValue };
  if (value.boolValue !== undefined) return { key, type: 'bool', value: value.boolValue };
  if (value.intValue !== undefined) return { key, type: 'int64', value: Number(value.intValue) };
  if (value.doubleValue !== undefined) return { key, type: 'float64', value: Number(value.doubleValue) };
  if (value.bytesValue !== undefined) return { key, type: 'binary', value: value.bytesValue };
  if (value.arrayValue || value.kvlistValue) return { key, type: 'string', value: JSON.stringify(rawOf(value)) };
  return { key, type: 'string', value: '' };
}

function stringTag(key: string, value: string): Tag {
  return { key, type: 'string', value };
}

/** Byte order, as Go compares strings (localeCompare would not). */
function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Nanoseconds (a decimal string) to whole microseconds, truncated as Jaeger does. */
function micros(nanos: bigint): number {
  return Number(nanos / 1000n);
}

/** OTLP marks a root span with no parent id, or with one of zeros. */
function isZeroId(id: string): boolean {
  return /^0*$/.test(id);
}

function processOf(attributes: OtlpKeyValue[]): Process {
  if (attributes.length === 0) return { serviceName: 'OTLPResourceNoServiceName', tags: [] };
  const name = attributes.find((attribute) => attribute.key === 'service.name');
  const tags = attributes.filter((attribute) => attribute !== name).map(tagOf);
  return { serviceName: name?.value?.stringValue ?? '', tags: tags.sort(byKey) };
}

function tagsOf(span: OtlpSpan, scope: { name?: string; version?: string }): Tag[] {
  const tags: Tag[] = [];
  if (scope.name) tags.push(stringTag('otel.scope.name', scope.name));
  if (scope.version) tags.push(stringTag('otel.scope.version', scope.version));
  tags.push(...(span.attributes ?? []).map(tagOf));
  const kind = SPAN_KINDS[enumNumber(span.kind, SPAN_KIND_NAMES)];
  if (kind) tags.push(stringTag('span.kind', kind));
  const status = enumNumber(span.status?.code, STATUS_CODE_NAMES);
  if (status === STATUS_OK) tags.push(stringTag('otel.status_code', 'OK'));
  if (status === STATUS_ERROR)
    tags.push(stringTag('otel.status_code', 'ERROR'), { key: 'error', type: 'bool', value: true });
  if (span.status?.message) tags.push(stringTag('otel.status_description', span.status.message));
  if (span.traceState) tags.push(stringTag('w3c.tracestate', span.traceState));
  return tags.sort(byKey);
}

/** Each event a log: its name as the field `event`, first, then its attributes by key. */
function logsOf(span: OtlpSpan): JaegerSpan['logs'] {
  return (span.events ?? []).map((event) => {
    const attributes = event.attributes ?? [];
    const fields = attributes.map(tagOf).sort(byKey);
    const named = fields.findIndex((field) => field.key === 'event' && field.type === 'string');
    if (named >= 0) fields.unshift(...fields.splice(named, 1));
    else if (event.name && !attributes.some((attribute) => attribute.key === 'event')) {
      fields.unshift(stringTag('event', event.name));
    }
    return { timestamp: micros(BigInt(event.timeUnixNano)), fields };
  });
}

function referencesOf(span: OtlpSpan, traceID: string): JaegerSpan['references'] {
  const references: JaegerSpan['references'] = [];
  const parent = span.parentSpanId?.toLowerCase();
  if (parent && !isZeroId(parent)) references.push({ refType: 'CHILD_OF', traceID, spanID: parent });
  for (const link of span.links ?? []) {
    const childOf = link.attributes?.some(
      (attribute) => attribute.key === 'opentracing.ref_type' && attribute.value?.stringValue === 'child_of',
    );
    const reference = {
      refType: childOf ? 'CHILD_OF' : 'FOLLOWS_FROM',
      traceID: link.traceId.toLowerCase(),
      spanID: link.spanId.toLowerCase(),
    };
    const first = references[0];
    if (first && reference.traceID === first.traceID && reference.spanID === first.spanID)
      first.refType = reference.refType;
    else references.push(reference);
  }
  return references;
}

function spanOf(span: OtlpSpan, scope: { name?: string; version?: string }, processID: string): JaegerSpan {
  const traceID = span.traceId.toLowerCase();
  const start = BigInt(span.startTimeUnixNano);
  return {
    traceID,
    spanID: span.spanId.toLowerCase(),
    operationName: span.name ?? '',
    references: referencesOf(span, traceID),
    startTime: micros(start),
    duration: micros(BigInt(span.endTimeUnixNano) - start),
    tags: tagsOf(span, scope),
    logs: logsOf(span),
    processID,
  };
}

/**
 * The traces in an OTLP answer, one per trace id, in the order they first appear. Processes are
 * numbered `p1`, `p2`, ... within each trace, one per distinct resource, as /api/traces numbers them.
 */
export function tracesFromOtlp(data: OtlpTracesData): JaegerTrace[] {
  const traces = new Map<string, { trace: JaegerTrace; processIds: Map<string, string> }>();
  for (const resourceSpans of data.resourceSpans ?? []) {
    const process = processOf(resourceSpans.resource?.attributes ?? []);
    const processKey = JSON.stringify(process);
    for (const { scope = {}, spans = [] } of resourceSpans.scopeSpans ?? []) {
      for (const span of spans) {
        const traceID = span.traceId.toLowerCase();
        let entry = traces.get(traceID);
        if (!entry) {
          entry = { trace: { traceID, spans: [], processes: {} }, processIds: new Map() };
          traces.set(traceID, entry);
        }
        let processID = entry.processIds.get(processKey);
        if (!processID) {
          processID = `p${entry.processIds.size + 1}`;
          entry.processIds.set(processKey, processID);
          entry.trace.processes[processID] = process;
        }
        entry.trace.spans.push(spanOf(span, scope, processID));
      }
    }
  }
  return [...traces.values()].map((entry) => entry.trace);
}
