import type { ClusterContext } from './context.ts';
import { rollOut, routedAway, serviceStatus } from './knative-ops.ts';
import { describeFailures, failedOf, repeatedNumbers, seconds } from './outcome.ts';
import { type CounterStore, prepare } from './prepare.ts';
import type { ClusterScenario } from './scenario.ts';
import { startTraffic } from './traffic.ts';

async function rolloutUnderTraffic(ctx: ClusterContext, name: 'frontend' | 'backend') {
  const before = await serviceStatus(ctx, name);
  const traffic = startTraffic(ctx.visit);
  try {
    await traffic.more(40);
    const patchedAt = performance.now();
    await rollOut(ctx, name);
    const revision = await routedAway(ctx, name, before.latestReady);

    const servedMs = performance.now() - patchedAt;
    // Knative scales the old Revision down only after its stable window (60 s): not waited for.
    await traffic.more(40);
    const visits = await traffic.stop();
    const after = visits.filter((visit) => visit.at > patchedAt + servedMs);
    return {
      visits,
      revision,
      servedMs,
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
    const { visits, revision, servedMs } = await rolloutUnderTraffic(ctx, 'frontend');
    const repeated = repeatedNumbers(visits);
    return [
      {
        scenario: 'frontend rollout under traffic',
        expected: 'no visit fails; no number twice; the new Revision serves',
        observed:
          `${visits.length} visits, ${describeFailures(visits)}; ` +
          `${repeated.length === 0 ? 'numbers distinct' : `${repeated.length} numbers twice`}; ` +
          `${revision} serves all after ${seconds(servedMs)}`,
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
      const { visits, revision, servedMs, firstAfter, before } = await rolloutUnderTraffic(ctx, 'backend');
      const repeated = repeatedNumbers(visits);
      const highest = Math.max(0, ...before.map((visit) => visit.number ?? 0));
      // Numbers of earlier scenarios are not among these visits: a count that restarted low repeats them
      // unseen, so the first number on the new Revision must be above every number before the rollout.
      const carriedOn = firstAfter !== undefined && firstAfter > highest;
      // Exactly taken over: with every visit answered and nobody else visiting, the numbers are one run.
      const numbers = visits
        .flatMap((visit) => (visit.number === undefined ? [] : [visit.number]))
        .sort((a, b) => a - b);
      const gaps = numbers.filter((number, index) => index > 0 && number !== (numbers[index - 1] ?? 0) + 1).length;
      return [
        {
          scenario: `backend rollout under traffic (${store})`,
          expected: 'no visit fails; the new Revision serves',
          observed: `${visits.length} visits, ${describeFailures(visits)}; ${revision} serves all after ${seconds(servedMs)}`,
          pass: failedOf(visits).length === 0,
        },
        {
          scenario: '  the count',
          expected: 'no number twice, none skipped: the count carries on in the new Revision',
          observed:
            `${repeated.length === 0 ? 'no number twice here' : `${repeated.length} numbers twice (${repeated.slice(0, 3).join(', ')}…)`}; ` +
            `${highest} the last before the rollout, ${firstAfter ?? 'none'} the first once the new Revision served all` +
            `${carriedOn ? '' : ': the count started again'}; ${numbers[0]} to ${numbers.at(-1)}, ${gaps} gaps`,
          pass: repeated.length === 0 && carriedOn && gaps === 0,
        },
      ];
    },
  };
}

export const backendRolloutMemory = backendRollout('memory');
export const backendRolloutRedis = backendRollout('redis');
