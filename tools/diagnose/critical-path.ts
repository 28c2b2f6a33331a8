// The critical path of a trace, computed as Jaeger's UI computes it (but for the overlap allowance below): from the root, repeatedly take
// the child that finishes last before the current boundary; the stretches no child covers are the
// span's own time on the path. Children are first made to fit their parent, as the UI does: one that
// starts after its parent ended (or ends before it began) is left out, one that outlives its parent is cut at the parent's
// end, one that starts before its parent is cut at the parent's start.
import type { JaegerSpan, JaegerTrace } from '../jaeger/query.ts';

export interface Interval {
  start: number;
  end: number;
}

export interface PathSection extends Interval {
  span: JaegerSpan;
}

interface Node {
  span: JaegerSpan;
  start: number;
  end: number;
  children: Node[];
  parent: Node | undefined;
}

function parentIdOf(span: JaegerSpan): string | undefined {
  return span.references.find((reference) => reference.refType === 'CHILD_OF')?.spanID;
}

/**
 * The trace as a tree of spans fitted into their parents. A span whose parent is not in the trace
 * is a root; the trace's root is the root that starts first (the longest, on a tie).
 */
export function buildTree(trace: JaegerTrace): Node | undefined {
  const nodes = new Map<string, Node>();
  for (const span of trace.spans) {
    nodes.set(span.spanID, {
      span,
      start: span.startTime,
      end: span.startTime + span.duration,
      children: [],
      parent: undefined,
    });
  }
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = nodes.get(parentIdOf(node.span) ?? '');
    if (parent && parent !== node) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  const fitChildren = (node: Node) => {
    node.children = node.children.filter((child) => child.start <= node.end && child.end >= node.start);
    for (const child of node.children) {
      child.start = Math.max(child.start, node.start);
      child.end = Math.min(child.end, node.end);
      fitChildren(child);
    }
  };
  roots.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  const [root] = roots;
  if (root) fitChildren(root);
  return root;
}

/**
 * Instrumentation ends a client span a moment after the caller's next call may have begun (the
 * response's last event comes a few ticks after the awaited body): a sibling that ends this little
 * after the later one starts still counts as before it. Jaeger's UI has no such allowance, and then
 * credits the whole earlier call to the parent. 0 gives exactly the UI's path.
 */
export const OVERLAP_TOLERANCE_US = 1000;

/** The sections of the critical path, from the end of the trace back to its start. */
export function criticalPath(trace: JaegerTrace, { overlapToleranceUs = OVERLAP_TOLERANCE_US } = {}): PathSection[] {
  const root = buildTree(trace);
  if (!root) return [];
  const sections: PathSection[] = [];
  let current: Node = root;
  let boundary = root.end;
  let returning = false;
  for (;;) {
    const limit = boundary;
    const ends = (child: Node) =>
      returning ? child.end < limit + overlapToleranceUs : child.end <= limit + overlapToleranceUs;
    const candidates = current.children.filter((child) => child.start < limit && ends(child));
    const lastFinishing = candidates.reduce<Node | undefined>(
      (latest, child) => (latest === undefined || child.end > latest.end ? child : latest),
      undefined,
    );
    if (lastFinishing) {
      const end = Math.min(lastFinishing.end, boundary);
      if (end < boundary) sections.push({ span: current.span, start: end, end: boundary });
      current = lastFinishing;
      boundary = end;
      returning = false;
      continue;
    }
    if (current.start < boundary) sections.push({ span: current.span, start: current.start, end: boundary });
    if (!current.parent) return sections;
    boundary = current.start;
    current = current.parent;
    returning = true;
  }
}

/** A span's own time: its duration less the time its children cover (children fitted into it). */
export function selfTimes(trace: JaegerTrace): Map<string, number> {
  const times = new Map<string, number>();
  const visit = (node: Node) => {
    const covered = union(node.children.map((child) => ({ start: child.start, end: child.end })));
    times.set(node.span.spanID, Math.max(0, node.end - node.start - covered));
    for (const child of node.children) visit(child);
  };
  const root = buildTree(trace);
  if (root) visit(root);
  return times;
}

function union(intervals: Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  let total = 0;
  let open: Interval | undefined;
  for (const interval of sorted) {
    if (!open || interval.start > open.end) {
      if (open) total += open.end - open.start;
      open = { ...interval };
    } else {
      open.end = Math.max(open.end, interval.end);
    }
  }
  if (open) total += open.end - open.start;
  return total;
}
