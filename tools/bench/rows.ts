// The benchmark's table: one row per measure, tracing off and on with their ratio, and the zero-code
// peer with ours against it where the measure applies to it.
import { renderTable } from '../report/table.ts';
import type { Mode } from './modes.ts';
import type { PartFigure } from './parts.ts';
import type { LoadFigures } from './throughput.ts';

export interface ColdStarts {
  backend: { off: number; on: number; peer: number };
  frontend: { off: number; on: number; peer: number };
  /** faas-js-runtime serving a function that does nothing. */
  floorMs: number;
}

export interface ExportFigures {
  visits: number;
  answered: number;
  spansCreated: number;
  spansReached: number;
  dropped: number;
  /** Spans in each export request, on average, frontend then backend. */
  spansPerExport: number[];
}

export interface BenchResults {
  plan: { seconds: number; rounds: number; connections: number };
  coldStartMs: ColdStarts;
  ceilingRequestsPerSecond: number;
  /** Frontend visits per mode; pids (peaks, CPU) frontend first. */
  visits: Record<Mode, LoadFigures>;
  backendAlone: Partial<Record<Mode, LoadFigures>>;
  /** What each limited mode's cgroups held, frontend first. */
  cgroups: Partial<Record<Mode, { peakBytes: number; limitBytes: number; oomKills: number }[] | undefined>>;
  jaegerCores: Record<string, number>;
  warmupVisits: Record<string, number>;
  memoryLimitBytes: number;
  limitedNodeOptions: { backend: string | undefined; frontend: string | undefined };
  export: { unlimited: ExportFigures; limited: ExportFigures };
  /** Frontend visits with the counter in Redis, behind one and three backends (tracing on). */
  redis?: Record<string, LoadFigures>;
  redisRow?: BenchRow;
  parts?: PartFigure[];
}

/** Spans each function makes for a visit (docs/spans-and-http.md): what tracing's CPU per visit is shared by. */
export const SPANS_PER_VISIT = { frontend: 3, backend: 5 } as const;

export interface BenchRow {
  measure: string;
  off: string;
  on: string;
  ratio: string;
  peer: string;
  onPerPeer: string;
}

const times = (value: number, base: number) =>
  base > 0 && Number.isFinite(value) ? `${(value / base).toFixed(2)}×` : '';
const whole = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '' : value.toFixed(0));
const mib = (bytes: number | undefined) => (bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(0));

/** CPU time per answered request, in µs, of the watched process at `index` (0 frontend, 1 backend). */
export function cpuPerRequest(figures: LoadFigures | undefined, index: number): number {
  return figures?.cpuPerRequestMicros[index] ?? Number.NaN;
}

/** A row of off, on and peer figures; `lowerIsBetter` only says which way the ratios read, not how they are computed. */
function compare(measure: string, off: number, on: number, peer?: number): BenchRow {
  return {
    measure,
    off: whole(off),
    on: whole(on),
    ratio: times(on, off),
    peer: peer === undefined ? '' : whole(peer),
    onPerPeer: peer === undefined ? '' : times(on, peer),
  };
}

const plain = (measure: string, off: string, on: string, ratio = '', peer = ''): BenchRow => ({
  measure,
  off,
  on,
  ratio,
  peer,
  onPerPeer: '',
});

/** CPU per visit of both functions together, in µs. */
const bothFunctions = (figures: LoadFigures | undefined) => cpuPerRequest(figures, 0) + cpuPerRequest(figures, 1);

/**
 * Where tracing's cost goes: our telemetry with nothing recorded (the HTTP spans' layer and the
 * context alone), with every span recorded but none exported, and all of it (on), each against off.
 */
function costRows(visits: BenchResults['visits']): BenchRow[] {
  const parts = [
    ['nothing recorded (sampler always_off)', visits.unrecorded],
    ['recorded, not exported (OTEL_TRACES_EXPORTER=none)', visits.unexported],
    ['10 % sampled (parentbased_traceidratio 0.1)', visits.sampled10],
    ['1 % sampled (parentbased_traceidratio 0.01)', visits.sampled1],
  ] as const;
  const perSpan = (figures: LoadFigures, index: 0 | 1, spans: number) =>
    ((cpuPerRequest(figures, index) - cpuPerRequest(visits.off, index)) / spans).toFixed(1);
  return [
    plain(
      'CPU per span, all-in ((on − off) / spans), frontend (3) / backend (5) (µs)',
      '',
      `${perSpan(visits.on, 0, SPANS_PER_VISIT.frontend)} / ${perSpan(visits.on, 1, SPANS_PER_VISIT.backend)}`,
      'goal ≤ 15',
    ),
    compare(
      'CPU per visit, both functions (µs)',
      bothFunctions(visits.off),
      bothFunctions(visits.on),
      bothFunctions(visits.peer),
    ),
    ...parts.flatMap(([what, figures]) => [
      compare(`frontend visits, ${what}, requests/s`, visits.off.requestsPerSecond, figures.requestsPerSecond),
      compare(`CPU per visit, both functions, ${what} (µs)`, bothFunctions(visits.off), bothFunctions(figures)),
    ]),
  ];
}

export function benchRows(results: BenchResults): BenchRow[] {
  const { coldStartMs: cold, visits, backendAlone, cgroups } = results;
  const latency = (figures: LoadFigures | undefined) => (figures ? `${figures.p50Ms} / ${figures.p99Ms}` : '');
  const limit = `${mib(results.memoryLimitBytes)} MiB`;
  const rows: BenchRow[] = [
    compare('cold start, backend (median ms)', cold.backend.off, cold.backend.on, cold.backend.peer),
    compare('cold start, frontend (median ms)', cold.frontend.off, cold.frontend.on, cold.frontend.peer),
    plain('cold start, bare faas-js-runtime (floor)', whole(cold.floorMs), ''),
    compare(
      'frontend visits, requests/s',
      visits.off.requestsPerSecond,
      visits.on.requestsPerSecond,
      visits.peer.requestsPerSecond,
    ),
    {
      ...plain('frontend visits, p50 / p99 ms', latency(visits.off), latency(visits.on)),
      ratio: times(visits.on.p50Ms, visits.off.p50Ms),
      peer: latency(visits.peer),
    },
    compare(
      'CPU per visit, frontend (µs)',
      cpuPerRequest(visits.off, 0),
      cpuPerRequest(visits.on, 0),
      cpuPerRequest(visits.peer, 0),
    ),
    compare(
      'CPU per visit, backend (µs)',
      cpuPerRequest(visits.off, 1),
      cpuPerRequest(visits.on, 1),
      cpuPerRequest(visits.peer, 1),
    ),
    ...costRows(visits),
  ];
  if (backendAlone.off && backendAlone.on) {
    rows.push(
      compare(
        'backend alone (GET /), requests/s',
        backendAlone.off.requestsPerSecond,
        backendAlone.on.requestsPerSecond,
        backendAlone.peer?.requestsPerSecond,
      ),
      compare(
        'CPU per request, backend alone (µs)',
        cpuPerRequest(backendAlone.off, 0),
        cpuPerRequest(backendAlone.on, 0),
        cpuPerRequest(backendAlone.peer, 0),
      ),
    );
  }
  rows.push(
    plain('node:http hello (ceiling), requests/s', whole(results.ceilingRequestsPerSecond), ''),
    plain(
      'cores Jaeger used during the frontend runs',
      (results.jaegerCores.off ?? 0).toFixed(2),
      (results.jaegerCores.on ?? 0).toFixed(2),
      '',
      (results.jaegerCores.peer ?? 0).toFixed(2),
    ),
  );
  for (const [index, name] of ['frontend', 'backend'].entries()) {
    rows.push(
      compare(
        `peak RSS under load, ${name} (MB)`,
        visits.off.peakRssMb[index] ?? Number.NaN,
        visits.on.peakRssMb[index] ?? Number.NaN,
        visits.peer.peakRssMb[index],
      ),
    );
  }
  const limited = (mode: Mode) => cgroups[mode] ?? [];
  rows.push(
    compare(
      `frontend visits in ${limit}, requests/s`,
      visits.offLimited.requestsPerSecond,
      visits.onLimited.requestsPerSecond,
    ),
    plain(
      `frontend visits, in ${limit} / unlimited`,
      times(visits.offLimited.requestsPerSecond, visits.off.requestsPerSecond),
      times(visits.onLimited.requestsPerSecond, visits.on.requestsPerSecond),
    ),
    compare(
      `CPU per visit in ${limit}, frontend (µs)`,
      cpuPerRequest(visits.offLimited, 0),
      cpuPerRequest(visits.onLimited, 0),
    ),
    plain(
      `peak memory in ${limit} (cgroup), frontend / backend (MiB)`,
      limited('offLimited')
        .map((memory) => mib(memory.peakBytes))
        .join(' / '),
      limited('onLimited')
        .map((memory) => mib(memory.peakBytes))
        .join(' / '),
    ),
    plain(
      `OOM kills in ${limit}`,
      String(limited('offLimited').reduce((sum, memory) => sum + memory.oomKills, 0)),
      String(limited('onLimited').reduce((sum, memory) => sum + memory.oomKills, 0)),
    ),
  );
  if (results.redisRow) rows.push(results.redisRow);
  for (const [key, where] of [
    ['unlimited', ''],
    ['limited', ` in ${limit}`],
  ] as const) {
    const figures = results.export[key];
    rows.push(
      plain(
        `spans of ${figures.visits} visits at full speed${where}: reached Jaeger / created`,
        '',
        `${figures.spansReached} / ${figures.spansCreated}`,
        `${figures.dropped} dropped`,
      ),
      plain(
        `spans per export request in that burst${where}, frontend / backend`,
        '',
        figures.spansPerExport.map((spans) => spans.toFixed(0)).join(' / '),
      ),
    );
  }
  return rows;
}

/** What each part of a span costs, measured in a process of its own (parts.ts): the floor first. */
export function renderParts(parts: readonly PartFigure[]): string {
  return renderTable(
    [{ title: 'part (CPU of one process, median of 5 runs)' }, { title: 'µs', right: true }, { title: 'per' }],
    parts.map((part) => [part.part, part.micros.toFixed(2), part.per]),
  );
}

export function renderRows(results: BenchResults): string {
  return renderTable(
    [
      { title: 'measure' },
      { title: 'tracing off', right: true },
      { title: 'tracing on', right: true },
      { title: 'on / off', right: true },
      { title: 'zero-code peer', right: true },
      { title: 'on / peer', right: true },
    ],
    benchRows(results).map((row) => [row.measure, row.off, row.on, row.ratio, row.peer, row.onPerPeer]),
  );
}
