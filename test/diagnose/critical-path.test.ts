import test from 'ava';
import { criticalPath, selfTimes } from '../../tools/diagnose/critical-path.ts';
import { makeTrace, type SpanRow } from '../helpers/traces.ts';

/** The path as "span:start-end", from the end of the trace back to its start. */
function path(rows: SpanRow[], overlapToleranceUs = 0): string[] {
  return criticalPath(makeTrace(rows), { overlapToleranceUs }).map(
    (section) => `${section.span.spanID}:${section.start}-${section.end}`,
  );
}

const cases: [string, SpanRow[], string[]][] = [
  [
    'sequential children: each child, and the parent between them',
    [
      ['A', 'root', 0, 100],
      ['B', 'first', 10, 30, 'A'],
      ['C', 'second', 40, 90, 'A'],
    ],
    ['A:90-100', 'C:40-90', 'A:30-40', 'B:10-30', 'A:0-10'],
  ],
  [
    'overlapping children: the one that finishes last; the other is hidden under it',
    [
      ['A', 'root', 0, 100],
      ['B', 'long', 10, 80, 'A'],
      ['C', 'inside', 20, 60, 'A'],
    ],
    ['A:80-100', 'B:10-80', 'A:0-10'],
  ],
  [
    'overlapping children: the earlier one counts only up to where the later one starts',
    [
      ['A', 'root', 0, 100],
      ['B', 'early', 10, 50, 'A'],
      ['C', 'late', 40, 90, 'A'],
    ],
    ['A:90-100', 'C:40-90', 'A:0-40'],
  ],
  [
    'a child that outlives its parent is cut at the parent end; its late child is left out',
    [
      ['A', 'root', 0, 100],
      ['B', 'outliving', 50, 150, 'A'],
      ['D', 'after the end', 120, 140, 'B'],
    ],
    ['B:50-100', 'A:0-50'],
  ],
  [
    'a child that starts after its parent ended is left out',
    [
      ['A', 'root', 0, 100],
      ['E', 'too late', 110, 120, 'A'],
    ],
    ['A:0-100'],
  ],
  [
    'a child that starts before its parent is cut at the parent start',
    [
      ['A', 'root', 0, 100],
      ['B', 'child', 20, 90, 'A'],
      ['C', 'early grandchild', 10, 40, 'B'],
    ],
    ['A:90-100', 'B:40-90', 'C:20-40', 'A:0-20'],
  ],
  [
    'spans from other processes: the path goes through the client into the server and back',
    [
      ['A', 'GET /', 0, 100, undefined, 'p1'],
      ['B', 'POST', 10, 90, 'A', 'p1'],
      ['S', 'POST /', 15, 85, 'B', 'p2'],
      ['L', 'simulate lag', 20, 80, 'S', 'p2'],
    ],
    ['A:90-100', 'B:85-90', 'S:80-85', 'L:20-80', 'S:15-20', 'B:10-15', 'A:0-10'],
  ],
  [
    'a span whose parent is missing is a root of its own; the trace root is the first',
    [
      ['A', 'root', 0, 100],
      ['X', 'orphan', 30, 60, 'missing'],
    ],
    ['A:0-100'],
  ],
];

for (const [what, rows, expected] of cases) {
  test(`critical path: ${what}`, (t) => {
    t.deepEqual(path(rows), expected);
    for (const overlapToleranceUs of [0, 5]) {
      const sections = criticalPath(makeTrace(rows), { overlapToleranceUs });
      const covered = sections.reduce((sum, section) => sum + section.end - section.start, 0);
      t.is(covered, 100, 'the path covers the whole root span, once');
    }
  });
}

test('as in Jaeger UI, a call that ends just after the next one starts is hidden under its parent', (t) => {
  const rows: SpanRow[] = [
    ['A', 'GET /', 0, 1000],
    ['B', 'slow read', 10, 602, 'A'],
    ['C', 'write', 600, 990, 'A'],
  ];
  t.deepEqual(path(rows), ['A:990-1000', 'C:600-990', 'A:0-600']);
  t.deepEqual(
    path(rows, 5),
    ['A:990-1000', 'C:600-990', 'B:10-600', 'A:0-10'],
    'with the allowance, the read is on the path',
  );
});

test('an empty trace has no path', (t) => {
  t.deepEqual(criticalPath(makeTrace([])), []);
});

test('self time is the duration less what the children cover, overlaps counted once', (t) => {
  const trace = makeTrace([
    ['A', 'root', 0, 100],
    ['B', 'long', 10, 80, 'A'],
    ['C', 'inside', 20, 60, 'A'],
    ['D', 'outliving', 90, 150, 'A'],
  ]);
  t.deepEqual(Object.fromEntries(selfTimes(trace)), { A: 20, B: 70, C: 40, D: 10 });
});
