// After a load, the wait until each visit's trace is in Jaeger and whole, so that whatever reads
// Jaeger next (npm run diagnose, a trace page) sees every visit of the load in full. The functions
// send spans in batches (OTEL_BSP_SCHEDULE_DELAY, 5 s by default), each on its own clock, so without
// this the last visits are missing or half there for some seconds after the last answer.
//
// It is load's to do because load alone knows which traces are its visits (each answer's
// traceresponse); a reader of Jaeger can only leave out what looks incomplete.
import { setTimeout as delay } from 'node:timers/promises';
import { describeGap, gapsOf } from '../jaeger/completeness.ts';
import { fetchTrace, JaegerQueryError, type JaegerTrace } from '../jaeger/query.ts';
import { findJaeger, type JaegerSource } from '../jaeger/source.ts';
import { formatMs } from '../report/durations.ts';

/**
 * How long load waits by default: the functions' batch delay (5 s), Jaeger's own batching (~0.2 s)
 * and a margin for a slow export or a loaded machine. An export that takes longer than this is late
 * enough to be worth a warning.
 */
export const DEFAULT_TRACE_WAIT_SECONDS = 15;

export interface TraceWaitProgress {
  whole: number;
  total: number;
}

export interface TraceWait {
  /** The visits' trace ids, each once. */
  total: number;
  whole: number;
  /** In Jaeger but not whole at the end, each with what it lacked. */
  incomplete: { traceId: string; gaps: string[] }[];
  /** Not in Jaeger at all at the end. */
  missing: string[];
  waitedMs: number;
  /** Why Jaeger could not be asked, when it could not. */
  unreachable?: string;
}

export interface TraceWaitOptions {
  queryUrl: string;
  traceIds: readonly string[];
  timeoutMs: number;
  intervalMs?: number;
  /** Traces asked for at once. */
  concurrency?: number;
  onProgress?: (progress: TraceWaitProgress) => void;
  fetchTrace?: (queryUrl: string, traceId: string) => Promise<JaegerTrace | undefined>;
}

/** Asks Jaeger for each trace not yet whole, round after round, until all are whole or time is up. */
export async function waitForWholeTraces({
  queryUrl,
  traceIds,
  timeoutMs,
  intervalMs = 250,
  concurrency = 8,
  onProgress,
  fetchTrace: fetchOne = fetchTrace,
}: TraceWaitOptions): Promise<TraceWait> {
  const started = performance.now();
  const ids = [...new Set(traceIds)];
  const pending = new Set(ids);
  const latest = new Map<string, JaegerTrace>();
  let unreachable: string | undefined;
  for (;;) {
    const queue = [...pending];
    try {
      await Promise.all(
        Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
          for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            const trace = await fetchOne(queryUrl, id);
            if (!trace) continue;
            latest.set(id, trace);
            if (gapsOf(trace).length === 0) pending.delete(id);
          }
        }),
      );
    } catch (error) {
      // Down, or not a Jaeger: waiting would not help, and the load's own report stands.
      unreachable =
        error instanceof JaegerQueryError
          ? error.message
          : `Jaeger could not be read at ${queryUrl}: ${error instanceof Error ? error.message : error}`;
      break;
    }
    onProgress?.({ whole: ids.length - pending.size, total: ids.length });
    const left = timeoutMs - (performance.now() - started);
    if (pending.size === 0 || left <= 0) break;
    await delay(Math.min(intervalMs, left));
  }
  const incomplete: TraceWait['incomplete'] = [];
  const missing: string[] = [];
  for (const id of pending) {
    const trace = latest.get(id);
    if (trace) incomplete.push({ traceId: id, gaps: gapsOf(trace).map((gap) => describeGap(trace, gap)) });
    else missing.push(id);
  }
  return {
    total: ids.length,
    whole: ids.length - pending.size,
    incomplete,
    missing,
    waitedMs: performance.now() - started,
    ...(unreachable === undefined ? {} : { unreachable }),
  };
}

/** The report's line (or lines) on the visits' traces, where `jaeger` says which Jaeger was asked. */
export function renderTraceWait(wait: TraceWait, jaeger: string): string {
  if (wait.unreachable !== undefined) return `Traces: not checked: ${wait.unreachable}`;
  const after = `after ${formatMs(wait.waitedMs)}`;
  if (wait.whole === wait.total) return `Traces: all ${wait.total} whole in Jaeger ${after}, read from ${jaeger}`;
  const parts = [
    ...(wait.missing.length > 0 ? [`${wait.missing.length} not there`] : []),
    ...(wait.incomplete.length > 0
      ? [
          `${wait.incomplete.length} incomplete (${wait.incomplete[0]?.gaps.join(', ') ?? ''}${wait.incomplete.length > 1 ? ', …' : ''})`,
        ]
      : []),
  ];
  return [
    `Traces: WARNING: ${wait.total - wait.whole} of ${wait.total} not whole in Jaeger ${after}, read from ${jaeger}: ${parts.join(', ')}.`,
    '  Their spans may still be queued in a function (OTEL_BSP_SCHEDULE_DELAY), Jaeger may be down or not the',
    '  one the functions export to (OTEL_EXPORTER_OTLP_ENDPOINT), or a part may not be traced (OTEL_SDK_DISABLED).',
    '  npm run diagnose leaves incomplete traces out; --wait-traces <seconds> waits longer.',
  ].join('\n');
}

/**
 * Finds Jaeger as npm run diagnose does (the --jaeger URL, else `npm start`'s, else the cluster's by a
 * port-forward, closed after), waits for the visits' traces, and answers the report's line on them.
 */
export async function checkLoadTraces({
  traceIds,
  jaegerFlag,
  env,
  timeoutMs,
  onProgress,
}: {
  traceIds: readonly string[];
  jaegerFlag: string | undefined;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  onProgress?: (progress: TraceWaitProgress) => void;
}): Promise<string> {
  if (traceIds.length === 0) {
    return 'Traces: not checked: no answer named its trace (traceresponse header); is tracing off in the frontend?';
  }
  let source: JaegerSource;
  try {
    source = await findJaeger(jaegerFlag, env);
  } catch (error) {
    // No Jaeger here, or a kubeconfig that could not be read: the load's own report stands.
    return `Traces: not checked: ${error instanceof Error ? error.message : error}`;
  }
  try {
    const wait = await waitForWholeTraces({
      queryUrl: source.url,
      traceIds,
      timeoutMs,
      ...(onProgress ? { onProgress } : {}),
    });
    return renderTraceWait(wait, source.description);
  } finally {
    await source.close();
  }
}
