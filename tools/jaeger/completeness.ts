// Whether Jaeger holds all of a trace yet, judged from its structure alone. Each process exports its
// spans in batches on its own clock (OTEL_BSP_SCHEDULE_DELAY, 5 s by default), so a trace read soon
// after its visit may lack one process's spans: the backend's, the frontend's, or, in a Knative
// cluster, Traefik's root. A span count would not tell (it differs between a local run, a cluster and
// a failed visit); the shape does:
// - exactly one root, a span with no parent: the first hop's (our frontend's, or Traefik's);
// - no span whose parent is missing: the parent's process has not sent its batch yet;
// - each call that went through has its callee's span under it: a CLIENT span that did not fail has
//   at least one child (the backend's server span under the frontend's call; in the cluster a
//   queue-proxy's or the activator's under each hop's proxy call). A call that failed (the backend
//   down, refused, timed out) may have reached no one, so it needs none; nor does a call to a
//   database or cache (a `db.system` span, such as a Redis command), which reports no spans of its own.
// Within one process, spans are exported in the order they end and a parent ends after its children,
// so once a process's outermost span of the trace is there, the rest of that process's spans are too.
// A trace continued from a caller that sends a traceparent but reports no spans (an untraced client,
// a load balancer) has a parent that never comes: it never counts as whole, which is the safe side.
import { type JaegerSpan, type JaegerTrace, serviceOf, tagOf } from './query.ts';

export type TraceGap =
  /** Not exactly one root: none (its process's batch is still to come) or several (pieces of it). */
  | { kind: 'roots'; count: number }
  /** A span whose parent is not in the trace. */
  | { kind: 'missing-parent'; spanId: string; parentId: string }
  /** A CLIENT span that did not fail, with no child: its callee's span is not in the trace. */
  | { kind: 'unanswered-call'; spanId: string };

const parentIdOf = (span: JaegerSpan) => span.references.find((reference) => reference.refType === 'CHILD_OF')?.spanID;

/** Failed as OpenTelemetry marks it (status ERROR), or as older tracers do (the `error` tag). */
const failed = (span: JaegerSpan) => tagOf(span, 'otel.status_code') === 'ERROR' || tagOf(span, 'error') === true;

/** A call to a database or cache, by the semantic conventions' attribute, old name or new. */
const toDatabase = (span: JaegerSpan) =>
  tagOf(span, 'db.system') !== undefined || tagOf(span, 'db.system.name') !== undefined;

/** What the trace lacks to be whole; none when it is. */
export function gapsOf(trace: JaegerTrace): TraceGap[] {
  const ids = new Set(trace.spans.map((span) => span.spanID));
  const parents = new Set<string>();
  const gaps: TraceGap[] = [];
  let roots = 0;
  for (const span of trace.spans) {
    const parentId = parentIdOf(span);
    if (parentId === undefined) roots += 1;
    else {
      parents.add(parentId);
      if (!ids.has(parentId)) gaps.push({ kind: 'missing-parent', spanId: span.spanID, parentId });
    }
  }
  if (roots !== 1) gaps.unshift({ kind: 'roots', count: roots });
  for (const span of trace.spans) {
    if (tagOf(span, 'span.kind') === 'client' && !failed(span) && !toDatabase(span) && !parents.has(span.spanID)) {
      gaps.push({ kind: 'unanswered-call', spanId: span.spanID });
    }
  }
  return gaps;
}

export function isWhole(trace: JaegerTrace): boolean {
  return gapsOf(trace).length === 0;
}

/** A gap in words, naming the span by its service and operation. */
export function describeGap(trace: JaegerTrace, gap: TraceGap): string {
  const named = (id: string) => {
    const span = trace.spans.find((candidate) => candidate.spanID === id);
    return span ? `${serviceOf(trace, span)} "${span.operationName}"` : id;
  };
  switch (gap.kind) {
    case 'roots':
      return gap.count === 0 ? 'no root span' : `${gap.count} root spans`;
    case 'missing-parent':
      return `the parent of ${named(gap.spanId)} is missing`;
    case 'unanswered-call':
      return `the call ${named(gap.spanId)} has no span of its callee`;
  }
}
