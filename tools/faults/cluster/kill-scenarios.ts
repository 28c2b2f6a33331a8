// Pods killed under steady traffic (`kubectl delete pod --grace-period=0 --force`: no preStop, no
// drain): what visitors see meanwhile (failed visits, their status and time to answer), how long
// until visits succeed again, and what is lost: the backend's count in memory, Redis's count, the
// spans Jaeger was sent while it was away.
import { isWhole, lackOf, traceIn } from '../../cluster/on-cluster.ts';
import { fetchTrace } from '../../jaeger/query.ts';
import { waitFor } from '../../processes/process.ts';
import type { ClusterContext } from './context.ts';
import { exportComplaints, killPods, newPodReady, type Part } from './knative-ops.ts';
import {
  describeFailures,
  describeRecovery,
  failedOf,
  type Recovery,
  recoveryAfter,
  seconds,
  since,
} from './outcome.ts';
import { type CounterStore, prepare } from './prepare.ts';
import type { ClusterScenario, Row } from './scenario.ts';
import { startTraffic, type TimedVisit } from './traffic.ts';

/** The frontend's BACKEND_TIMEOUT_MS (knative/frontend.yaml): no visit may hang longer. */
export const FRONTEND_TIMEOUT_MS = 15_000;
/** Within this, after a kill, visits must succeed again. */
export const RECOVERY_BOUND_MS = 60_000;

interface Killed {
  visits: TimedVisit[];
  /** Visits in flight at the kill or sent after it. */
  affected: TimedVisit[];
  killedAt: number;
  recovery: Recovery;
  /** From the kill to the new pod's readiness. */
  podReadyMs: number;
  /** Highest number before the kill; first number of a visit sent once the new pod was ready. */
  highestBefore: number;
  firstAfterReady: number | undefined;
}

interface KillOptions {
  /** Called right after the kill. */
  onKilled?: () => Promise<void>;
  /** false: a plain delete (SIGTERM, the grace period) instead of a forced one. */
  force?: boolean;
  /** Traffic goes on at least this long after the new pod is ready. */
  settleMs?: number;
}

async function killUnderTraffic(
  ctx: ClusterContext,
  part: Part,
  { onKilled, force = true, settleMs = 0 }: KillOptions = {},
): Promise<Killed> {
  const traffic = startTraffic(ctx.visit);
  try {
    await traffic.more(40);
    const killedAt = performance.now();
    const gone = await killPods(ctx, part, force);
    await onKilled?.();
    await newPodReady(ctx, part, gone);
    const readyAt = performance.now();
    await traffic.healthy(40, readyAt, RECOVERY_BOUND_MS * 2);
    await waitFor('traffic to settle', async () => performance.now() > readyAt + settleMs || undefined, {
      timeoutMs: settleMs + 1000,
      intervalMs: 100,
    });
    const visits = await traffic.stop();
    const before = visits.filter((visit) => visit.at + visit.ms < killedAt);
    const afterReady = visits.filter((visit) => visit.at > readyAt && visit.status === 200).sort((a, b) => a.at - b.at);
    return {
      visits,
      affected: since(visits, killedAt),
      killedAt,
      recovery: recoveryAfter(visits, killedAt),
      podReadyMs: readyAt - killedAt,
      highestBefore: Math.max(0, ...before.map((visit) => visit.number ?? 0)),
      firstAfterReady: afterReady[0]?.number,
    };
  } finally {
    await traffic.stop();
  }
}

/** Each distinct text with how many times it came: "no traefik × 18, 2 roots × 2". */
function tally(texts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return [...counts].map(([text, count]) => `${text} × ${count}`).join('; ');
}

const slowest = (visits: readonly TimedVisit[]) => Math.max(0, ...failedOf(visits).map((visit) => visit.ms));

function observed(killed: Killed, extra = ''): string {
  return (
    `${killed.affected.length} visits after the kill, ${describeFailures(killed.affected)}; ` +
    `new pod ready after ${seconds(killed.podReadyMs)}; ${describeRecovery(killed.recovery)}${extra}`
  );
}

/** Failures, if any, are fast (no hang past the frontend's timeout) and end within RECOVERY_BOUND_MS. */
const recovers = (killed: Killed) =>
  slowest(killed.affected) < FRONTEND_TIMEOUT_MS && killed.recovery.allSucceedMs < RECOVERY_BOUND_MS;

function killScenario(part: Part, expected: string, judge: (killed: Killed) => boolean, force = true): ClusterScenario {
  const what = force ? 'killed' : 'deleted';
  return {
    name: `${part} pod ${what}`,
    run: async (ctx) => {
      await prepare(ctx, 'memory');
      const killed = await killUnderTraffic(ctx, part, { force });
      return [
        { scenario: `${part} pod ${what} under traffic`, expected, observed: observed(killed), pass: judge(killed) },
      ];
    },
  };
}

const FAST = `failures fast (< ${FRONTEND_TIMEOUT_MS / 1000} s), all 200 again within ${RECOVERY_BOUND_MS / 1000} s`;

export const frontendKilled = killScenario('frontend', FAST, recovers);
export const activatorKilled = killScenario('activator', FAST, recovers);
// A plain delete, as a Traefik upgrade does. Traefik serves on for 5 s once told to stop, its readiness
// 503, so the Service's endpoints drop it before it closes (tools/cluster/traefik/traefik.yaml): without
// that, 38 and 49 visits in two runs failed, some hanging until the client's 60 s timeout, on
// connections to a pod whose network was gone; with it, none failed in two runs. A forced kill leaves
// no such time: kept-alive connections to it go unanswered, not even reset.
export const traefikKilled = killScenario('traefik', FAST, recovers, false);

/** Within this of Jaeger's return, every visit's trace must arrive whole again. */
const JAEGER_RECOVERY_BOUND_MS = 60_000;
/** Traffic goes on this long after Jaeger's return: the bound and 10 s of visits after it. */
const JAEGER_WATCH_MS = JAEGER_RECOVERY_BOUND_MS + 10_000;

/** One visit a second, the first answered with a trace id in each second after `from`. */
function oneASecond(visits: readonly TimedVisit[], from: number): TimedVisit[] {
  const bySecond = new Map<number, TimedVisit>();
  for (const visit of [...visits].sort((a, b) => a.at - b.at)) {
    const second = Math.floor((visit.at - from) / 1000);
    if (second >= 0 && visit.traceId && !bySecond.has(second)) bySecond.set(second, visit);
  }
  return [...bySecond.values()];
}

export const jaegerKilled: ClusterScenario = {
  name: 'jaeger pod killed',
  run: async (ctx) => {
    await prepare(ctx, 'memory');
    // Its port-forward dies with the pod: found again once a new one runs.
    const killed = await killUnderTraffic(ctx, 'jaeger', {
      onKilled: () => ctx.forgetJaeger(),
      settleMs: JAEGER_WATCH_MS,
    });
    const url = await ctx.jaegerUrl();
    const readyAt = killed.killedAt + killed.podReadyMs;
    const during = killed.visits.filter((visit) => visit.at >= killed.killedAt && visit.at + visit.ms <= readyAt);
    // Not every exporter is back at once: in the whole cluster suite Knative's activator (OpenTelemetry
    // Go over gRPC) logged "dial tcp <Jaeger's ClusterIP>:4317: i/o timeout", a connection attempt sent
    // to the killed pod's address before kube-proxy forgot it, and none of its spans of the next visits
    // arrived. So the row measures when traces are whole again: one visit a second after the new
    // Jaeger was ready, each read once the last one's trace is whole (or 30 s on).
    const samples = oneASecond(killed.visits, readyAt);
    const last = samples.at(-1)?.traceId;
    if (last) await traceIn(url, last, isWhole, 30_000).catch(() => undefined);
    const lackIn = async (visit: TimedVisit) =>
      visit.traceId ? lackOf(await fetchTrace(url, visit.traceId).catch(() => undefined)) : 'no traceresponse';
    const lacks = await Promise.all(samples.map(lackIn));
    const firstOfRun = lacks.findLastIndex(Boolean) + 1;
    const wholeFrom = samples[firstOfRun];
    const wholeFromMs = wholeFrom && wholeFrom.at - readyAt;
    const lacksBefore = lacks.slice(0, firstOfRun);
    // A hop of Knative's or Traefik's that stayed away: what its exporter logged since the kill.
    const sinceKill = Math.ceil((performance.now() - killed.killedAt) / 1000) + 5;
    const said = await Promise.all(
      (['activator', 'traefik'] as const)
        .filter((part) => lacksBefore.some((lack) => lack.includes(`no ${part}`)))
        .map(
          async (part) =>
            `${part}: ${await exportComplaints(ctx, part, sinceKill).catch((error: Error) => error.message)}`,
        ),
    );
    const wholeDuring = (await Promise.all(during.map(lackIn))).filter((lack) => !lack).length;
    const before = lacksBefore.length
      ? `; the ${lacksBefore.length} before: ${[tally(lacksBefore.map((lack) => lack || 'whole')), ...said].join('; ')}`
      : '';
    return [
      {
        scenario: 'jaeger pod killed under traffic',
        expected: 'no visit fails',
        observed: observed(killed),
        pass: failedOf(killed.affected).length === 0,
      },
      {
        scenario: '  spans',
        expected: `every trace whole again within ${JAEGER_RECOVERY_BOUND_MS / 1000} s of its return; those meanwhile counted (memory storage: all before are gone)`,
        observed:
          `${samples.length} visits sampled, one a second after its return: ` +
          (wholeFromMs === undefined
            ? 'the last not whole'
            : `whole from ${seconds(wholeFromMs)} on (${samples.length - firstOfRun} in a row)`) +
          before +
          `; ${during.length - wholeDuring} of ${during.length} sent while it was away lost or partial`,
        pass: wholeFromMs !== undefined && wholeFromMs <= JAEGER_RECOVERY_BOUND_MS && samples.length - firstOfRun >= 5,
      },
    ];
  },
};

function countKilled(part: 'backend' | 'redis', store: CounterStore): ClusterScenario {
  return {
    name: `${part} pod killed (${store})`,
    run: async (ctx) => {
      await prepare(ctx, store);
      const killed = await killUnderTraffic(ctx, part);
      // Only the backend in Redis mode loses nothing: the count is in Redis, which was not killed.
      const keeps = part === 'backend' && store === 'redis';
      const rows: Row[] = [
        {
          scenario: `${part} pod killed under traffic (${store})`,
          expected: FAST,
          observed: observed(killed),
          pass: recovers(killed),
        },
        keeps
          ? {
              scenario: '  the count',
              expected: 'carries on: it is in Redis, not in the pod',
              observed: `${killed.highestBefore} before the kill; ${killed.firstAfterReady ?? 'none'} first once the new pod was ready`,
              pass: killed.firstAfterReady !== undefined && killed.firstAfterReady > killed.highestBefore,
            }
          : {
              scenario: '  the count',
              // docs/faults.md: a killed backend's memory is gone, and Redis keeps nothing on disk.
              expected: 'starts again at 1: nothing kept it (deliberate)',
              observed: `${killed.highestBefore} before the kill; ${killed.firstAfterReady ?? 'none'} first once the new pod was ready`,
              pass: killed.firstAfterReady !== undefined && killed.firstAfterReady < killed.highestBefore / 2,
            },
      ];
      return rows;
    },
  };
}

export const backendKilled = countKilled('backend', 'memory');
export const backendKilledRedis = countKilled('backend', 'redis');
export const redisKilled = countKilled('redis', 'redis');
