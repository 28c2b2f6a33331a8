// Scaling through the route: a burst of visits that the frontend must scale out for (its target in
// knative/frontend.yaml), and one that arrives at a frontend scaled to zero, held by the activator.
import { QUICK_SCALE_TO_ZERO } from '../../cluster/knative-on-node.ts';
import { isWhole, traceIn } from '../../cluster/on-cluster.ts';
import { fetchTrace, serviceOf } from '../../jaeger/query.ts';
import { runLoad } from '../../load/run.ts';
import type { Processes } from '../../local/system.ts';
import { waitFor } from '../../processes/process.ts';
import { formatMs } from '../../report/durations.ts';
import { percentile } from '../../report/stats.ts';
import type { ClusterContext } from './context.ts';
import { podsOf } from './knative-ops.ts';
import { contiguous, describeFailures, failedOf } from './outcome.ts';
import { prepare, SHORT_LAG } from './prepare.ts';
import type { ClusterScenario } from './scenario.ts';
import { visitsAtOnce } from './traffic.ts';

/**
 * 500 visits at concurrency 50 last ~3 s here, less than the autoscaler needs to decide (every 2 s)
 * and a pod to start: 1,500 give it time to scale out and the new pods time to serve.
 */
export const SCALE_OUT = { visits: 1500, concurrency: 50 };

const p = (values: readonly number[], rank: number) => formatMs(percentile(values, rank) ?? 0);

/** The most pods of the frontend seen (ready or not, not terminating) while `run` runs, every 500 ms. */
async function maxPodsWhile<T>(
  ctx: ClusterContext,
  run: Promise<T>,
): Promise<{ result: T; maxPods: number; maxReady: number }> {
  let done = false;
  let maxPods = 0;
  let maxReady = 0;
  const watch = (async () => {
    while (!done) {
      const pods = (await podsOf(ctx, 'frontend').catch(() => [])).filter((pod) => !pod.terminating);
      maxPods = Math.max(maxPods, pods.length);
      maxReady = Math.max(maxReady, pods.filter((pod) => pod.ready).length);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    return { result: await run, maxPods, maxReady };
  } finally {
    done = true;
    await watch;
  }
}

/** How many of the traces are whole in the cluster's Jaeger (waited for, 60 s for all), 10 at a time. */
async function wholeTraces(ctx: ClusterContext, traceIds: readonly string[]): Promise<{ whole: number; ours: number }> {
  const url = await ctx.jaegerUrl();
  const deadline = Date.now() + 60_000;
  let whole = 0;
  let ours = 0;
  const queue = [...traceIds];
  await Promise.all(
    Array.from({ length: 10 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const trace = await traceIn(url, id, isWhole, Math.max(1000, deadline - Date.now())).catch(() => undefined);
        if (trace) whole += 1;
        const found = trace ?? (await fetchTrace(url, id));
        if (found && found.spans.filter((span) => ['frontend', 'backend'].includes(serviceOf(found, span))).length >= 8)
          ours += 1;
      }
    }),
  );
  return { whole, ours };
}

export const scaleOut: ClusterScenario = {
  name: 'scale-out through the route',
  run: async (ctx, processes: Processes) => {
    await prepare(ctx, 'memory');
    const podsBefore = (await podsOf(ctx, 'frontend')).filter((pod) => !pod.terminating).length;
    const {
      result: visits,
      maxPods,
      maxReady,
    } = await maxPodsWhile(ctx, visitsAtOnce(ctx.visit, SCALE_OUT.visits, SCALE_OUT.concurrency));
    const numbers = contiguous(visits);
    const traceIds = visits.flatMap((visit) => (visit.traceId ? [visit.traceId] : []));
    const traces = await wholeTraces(ctx, traceIds);
    // The same load on the local processes, with the same lag, traced to a local Jaeger.
    const local = await processes.system({ backendEnv: SHORT_LAG });
    const localVisits = await runLoad({ url: local.frontend.url, ...SCALE_OUT });
    const times = visits.map((visit) => visit.ms);
    const localTimes = localVisits.map((visit) => visit.ms);
    const localFailed = localVisits.filter((visit) => visit.status !== 200).length;
    return [
      {
        scenario: `scale-out: ${SCALE_OUT.visits} visits at concurrency ${SCALE_OUT.concurrency}`,
        expected: 'none fails; numbers distinct, contiguous; the frontend on more than 1 pod',
        observed:
          `${describeFailures(visits)}; ${numbers.ok ? `${numbers.first} to ${numbers.last}, each once` : 'numbers repeated or missing'}; ` +
          `frontend pods ${podsBefore} → ${maxPods} (${maxReady} ready at most)`,
        pass: failedOf(visits).length === 0 && numbers.ok && maxPods > 1,
      },
      {
        scenario: '  their traces',
        expected: "every trace whole in the cluster's Jaeger (all hops, one root)",
        observed: `${traces.whole} of ${visits.length} whole; ${traces.ours} with our 8 spans`,
        pass: traces.whole === visits.length,
      },
      {
        scenario: '  latency, cluster beside local',
        expected: "p99 under the frontend's timeout (15 s); local processes for scale",
        observed: `cluster p50 ${p(times, 50)}, p99 ${p(times, 99)}; local p50 ${p(localTimes, 50)}, p99 ${p(localTimes, 99)} (${localFailed} failed)`,
        pass: (percentile(times, 99) ?? Infinity) < 15_000,
      },
    ];
  },
};

/** Knative's autoscaler config as released, once a scenario has made scale to zero quick. */
const RELEASED_AUTOSCALER = QUICK_SCALE_TO_ZERO.replace(/^data:[\s\S]*$/m, 'data: {}\n');
const FIELD_MANAGER = '--field-manager=faults-cluster';

export const BURST_FROM_ZERO = 50;

export const scaleFromZero: ClusterScenario = {
  name: 'scale from zero under a burst',
  run: async (ctx) => {
    await prepare(ctx, 'memory');
    const apply = (manifest: string) =>
      ctx.kubectl(['apply', '--server-side', '--force-conflicts', FIELD_MANAGER, '-f', '-'], manifest);
    await apply(QUICK_SCALE_TO_ZERO);
    try {
      await waitFor('the frontend at zero', async () => (await podsOf(ctx, 'frontend')).length === 0 || undefined, {
        timeoutMs: 180_000,
        intervalMs: 1000,
      });
      const visits = await visitsAtOnce(ctx.visit, BURST_FROM_ZERO, BURST_FROM_ZERO);
      const numbers = contiguous(visits);
      const pods = (await podsOf(ctx, 'frontend')).filter((pod) => pod.readyAt !== undefined);
      const podStartMs = Math.min(...pods.map((pod) => (pod.readyAt ?? 0) - pod.createdAt));
      // The activator held each visit until a pod was ready: its throttler span shows the wait.
      const first = [...visits].sort((a, b) => a.at - b.at)[0];
      const trace = await traceIn(await ctx.jaegerUrl(), first?.traceId ?? '', isWhole).catch(() => undefined);
      const waits = (trace?.spans ?? []).filter(
        (span) => trace && serviceOf(trace, span) === 'activator' && span.operationName === 'throttler_try',
      );
      const waitedMs = Math.max(0, ...waits.map((span) => span.duration / 1000));
      // Most of the first visit's time: a warm pass through the throttler takes microseconds. Not the
      // pod's created → Ready: the activator probes the pod itself and sends as soon as it answers,
      // before kubelet marks it Ready (a run waited 1.86 s for a pod "Ready" after 3 s, second-rounded).
      const firstMs = first?.ms ?? Infinity;
      const times = visits.map((visit) => visit.ms);
      return [
        {
          scenario: `scale from zero: ${BURST_FROM_ZERO} visits at once`,
          expected: 'all answered 200, numbers distinct and contiguous',
          observed: `${describeFailures(visits)}; ${numbers.ok ? `${numbers.first} to ${numbers.last}, each once` : 'numbers repeated or missing'}; answered in ${p(times, 0)} to ${p(times, 100)}`,
          pass: failedOf(visits).length === 0 && numbers.ok,
        },
        {
          scenario: "  the activator's wait in the trace",
          expected: "throttler_try holds most of the first visit's time (the cold start)",
          observed: trace
            ? `waited ${formatMs(waitedMs)} of the first visit's ${formatMs(firstMs)}; the pod Ready after ${formatMs(podStartMs)} (1 s resolution)`
            : 'no whole trace of the first visit',
          pass: trace !== undefined && waitedMs >= firstMs / 2,
        },
      ];
    } finally {
      await apply(RELEASED_AUTOSCALER);
    }
  },
};
