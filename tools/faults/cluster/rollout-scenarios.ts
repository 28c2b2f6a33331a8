// A new Revision rolled out while steady traffic runs through the route: Knative's promise is that no
// visit fails. The backend's in memory must hand its count to the new Revision, or numbers repeat.
import { waitFor } from '../../processes/process.ts';
import type { ClusterContext } from './context.ts';
import { podsOf, rollOut, routedAway, serviceStatus } from './knative-ops.ts';
import { describeFailures, failedOf, repeatedNumbers } from './outcome.ts';
import { type CounterStore, prepare } from './prepare.ts';
import type { ClusterScenario } from './scenario.ts';
import { startTraffic } from './traffic.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function rolloutUnderTraffic(ctx: ClusterContext, name: 'frontend' | 'backend') {
  const before = await serviceStatus(ctx, name);
  const traffic = startTraffic(ctx.visit);
  try {
    await traffic.more(40);
    const patchedAt = performance.now();
    await rollOut(ctx, name);
    const revision = await routedAway(ctx, name, before.latestReady);
    const servedMs = performance.now() - patchedAt;
    // The old Revision's pods drain (Knative keeps a Revision with min-scale until it is routed away).
    await waitFor(
      `only ${revision}'s pods`,
      async () => (await podsOf(ctx, name)).every((pod) => pod.revision === revision) || undefined,
      { timeoutMs: 240_000, intervalMs: 500 },
    );
    const oldGoneMs = performance.now() - patchedAt;
    await traffic.more(40);
    const visits = await traffic.stop();
    const after = visits.filter((visit) => visit.at > patchedAt + oldGoneMs);
    return {
      visits,
      revision,
      servedMs,
      oldGoneMs,
      firstAfter: after[0]?.number,
      before: visits.filter((v) => v.at < patchedAt),
    };
  } finally {
    await traffic.stop();
  }
}

export const frontendRollout: ClusterScenario = {
  name: 'frontend rollout',
  run: async (ctx) => {
    await prepare(ctx, 'memory');
    const { visits, revision, servedMs, oldGoneMs } = await rolloutUnderTraffic(ctx, 'frontend');
    const repeated = repeatedNumbers(visits);
    return [
      {
        scenario: 'frontend rollout under traffic',
        expected: 'no visit fails; no number twice; the new Revision serves',
        observed:
          `${visits.length} visits, ${describeFailures(visits)}; ` +
          `${repeated.length === 0 ? 'numbers distinct' : `${repeated.length} numbers twice`}; ` +
          `${revision} served after ${seconds(servedMs)}, old pods gone after ${seconds(oldGoneMs)}`,
        pass: failedOf(visits).length === 0 && repeated.length === 0,
      },
    ];
  },
};

function backendRollout(store: CounterStore): ClusterScenario {
  return {
    name: `backend rollout (${store})`,
    run: async (ctx) => {
      await prepare(ctx, store);
      const { visits, revision, servedMs, oldGoneMs, firstAfter, before } = await rolloutUnderTraffic(ctx, 'backend');
      const repeated = repeatedNumbers(visits);
      const highest = Math.max(0, ...before.map((visit) => visit.number ?? 0));
      return [
        {
          scenario: `backend rollout under traffic (${store})`,
          expected: 'no visit fails; the new Revision serves',
          observed: `${visits.length} visits, ${describeFailures(visits)}; ${revision} served after ${seconds(servedMs)}, old pod gone after ${seconds(oldGoneMs)}`,
          pass: failedOf(visits).length === 0,
        },
        {
          scenario: '  the count',
          expected: 'no number twice: the count carries on in the new Revision',
          observed:
            repeated.length === 0
              ? `numbers distinct; ${highest} before the rollout, ${firstAfter} after it`
              : `${repeated.length} numbers twice (${repeated.slice(0, 3).join(', ')}…): ${highest} before the rollout, ${firstAfter} after it`,
          pass: repeated.length === 0,
        },
      ];
    },
  };
}

export const backendRolloutMemory = backendRollout('memory');
export const backendRolloutRedis = backendRollout('redis');
