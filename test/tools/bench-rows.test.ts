// The benchmark's table from its figures: the rows that split tracing's cost into its parts.
import test from 'ava';
import type { Mode } from '../../tools/bench/modes.ts';
import { type BenchResults, benchRows } from '../../tools/bench/rows.ts';
import type { LoadFigures } from '../../tools/bench/throughput.ts';

function load(requestsPerSecond: number, frontendCpu: number, backendCpu: number): LoadFigures {
  return {
    requestsPerSecond,
    p50Ms: 2,
    p99Ms: 8,
    failures: 0,
    ok: requestsPerSecond,
    peakRssMb: [100, 100],
    cpuMicroseconds: [0, 0],
    cpuPerRequestMicros: [frontendCpu, backendCpu],
  };
}

const visits: Record<Mode, LoadFigures> = {
  off: load(6000, 150, 80),
  on: load(3000, 280, 180),
  peer: load(2000, 390, 290),
  offLimited: load(5000, 180, 90),
  onLimited: load(2700, 300, 190),
  unrecorded: load(4800, 190, 110),
  unexported: load(4000, 220, 140),
  sampled10: load(5200, 170, 95),
  sampled1: load(5800, 160, 85),
};

const exported = { visits: 10, answered: 10, spansCreated: 80, spansReached: 80, dropped: 0, spansPerExport: [30, 50] };
const results: BenchResults = {
  plan: { seconds: 3, rounds: 5, connections: 16 },
  coldStartMs: { backend: { off: 300, on: 320, peer: 1000 }, frontend: { off: 280, on: 300, peer: 980 }, floorMs: 200 },
  ceilingRequestsPerSecond: 90_000,
  visits,
  backendAlone: {},
  cgroups: {},
  jaegerCores: {},
  warmupVisits: {},
  memoryLimitBytes: 256 * 2 ** 20,
  limitedNodeOptions: { backend: undefined, frontend: undefined },
  export: { unlimited: exported, limited: exported },
};

const row = (measure: string) => {
  const found = benchRows(results).find((one) => one.measure === measure);
  if (!found) throw new Error(`no row "${measure}"`);
  return found;
};

test('CPU per visit of both functions, off, on and the peer', (t) => {
  t.like(row('CPU per visit, both functions (µs)'), { off: '230', on: '460', ratio: '2.00×', peer: '680' });
});

test('with nothing recorded: visits and CPU against tracing off', (t) => {
  t.like(row('frontend visits, nothing recorded (sampler always_off), requests/s'), {
    off: '6000',
    on: '4800',
    ratio: '0.80×',
  });
  t.like(row('CPU per visit, both functions, nothing recorded (sampler always_off) (µs)'), {
    off: '230',
    on: '300',
    ratio: '1.30×',
  });
});

test('with every span recorded and none exported: visits and CPU against tracing off', (t) => {
  t.like(row('frontend visits, recorded, not exported (OTEL_TRACES_EXPORTER=none), requests/s'), {
    off: '6000',
    on: '4000',
    ratio: '0.67×',
  });
  t.like(row('CPU per visit, both functions, recorded, not exported (OTEL_TRACES_EXPORTER=none) (µs)'), {
    on: '360',
  });
});

test('CPU per span, all-in: what tracing adds to each function shared by the spans it makes', (t) => {
  // (280 − 150) / 3 and (180 − 80) / 5.
  t.like(row('CPU per span, all-in ((on − off) / spans), frontend (3) / backend (5) (µs)'), {
    on: '43.3 / 20.0',
    ratio: 'goal ≤ 15',
  });
});

test('sampled at 10 % and 1 %: CPU per visit against tracing off', (t) => {
  t.like(row('CPU per visit, both functions, 10 % sampled (parentbased_traceidratio 0.1) (µs)'), {
    off: '230',
    on: '265',
    ratio: '1.15×',
  });
  t.like(row('CPU per visit, both functions, 1 % sampled (parentbased_traceidratio 0.01) (µs)'), { on: '245' });
});

test('the parts come right after the CPU per visit of each function', (t) => {
  const measures = benchRows(results).map((one) => one.measure);
  const backendCpu = measures.indexOf('CPU per visit, backend (µs)');
  t.is(measures[backendCpu + 1], 'CPU per span, all-in ((on − off) / spans), frontend (3) / backend (5) (µs)');
  t.is(measures[backendCpu + 2], 'CPU per visit, both functions (µs)');
});
