// The fault scenario of a dead collector: with Jaeger down, visits are answered as fast as with it up,
// export failures are logged rarely, memory levels off, and once Jaeger is back traces arrive again.
// Two kinds of dead: Jaeger's port closed (each export fails at once) for the visits, the latency and
// Jaeger's return; a collector that never answers (silent-collector.ts: each export waits for its
// deadline, spans pile up in the queue) for the memory, in processes limited as their containers are.
import type { FunctionName } from '../functions/run.ts';
import { freeJaegerPorts } from '../jaeger/run.ts';
import { runLoad, type VisitResult } from '../load/run.ts';
import { cleanEnv, type Processes } from '../local/system.ts';
import { waitFor } from '../processes/process.ts';
import { formatMs } from '../report/durations.ts';
import { percentile } from '../report/stats.ts';
import { countLogLines, describeLogCount, diagLogLines, type LogCount, withinThrottle } from './export-log.ts';
import { type LimitedPair, type Rounds, startLimitedPair, visitInRounds } from './limited-pair.ts';
import type { Scenario } from './scenario.ts';
import { startSilentCollector } from './silent-collector.ts';
import { wholeTrace } from './whole-trace.ts';

async function latencyPair(processes: Processes, otlpEndpoint: string) {
  const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: '100' };
  const startedAt = performance.now();
  const backend = await processes.fn('backend', cleanEnv({ ...env, LAG_MIN_MS: '20', LAG_MAX_MS: '20' }));
  const frontend = await processes.fn('frontend', cleanEnv({ ...env, COUNTER_ENDPOINT: backend.url }));
  await runLoad({ url: frontend.url, visits: 100, concurrency: 10 }); // warm-up
  return { frontend, backend, startedAt };
}

/**
 * Loads the systems at `urls` in turns, 100 visits at a time, so that a slower minute of a shared machine
 * falls on both (one run after the other once read 11.8 % apart on noise alone).
 */
async function loadInTurns(urls: readonly string[], visits: number): Promise<VisitResult[][]> {
  const results = urls.map((): VisitResult[] => []);
  for (let done = 0; done < visits; done += 100) {
    for (const [index, url] of urls.entries()) {
      results[index]?.push(...(await runLoad({ url, visits: 100, concurrency: 10 })));
    }
  }
  return results;
}

const medianMs = (results: readonly VisitResult[]) =>
  percentile(
    results.map((result) => result.ms),
    50,
  ) ?? 0;

/**
 * Memory with the collector silent, in the containers' limits. The batch queue fills within the first
 * 2,000 visits (2 spans a visit in the frontend, 2,048 wait at most) and V8 has grown its heap and
 * young generation by 4,000 (the first three rounds climb by some 35 MB): from there, RSS must stay put.
 */
const MEMORY_ROUNDS = 16;
const SETTLED_ROUNDS = 3; // rounds 4 to 6, the baseline: the highest RSS in them
/**
 * Growth from the baseline to the highest RSS of the last 3 rounds, per process. Measured here with
 * the queue's bound, in 8 runs: 1 to 7 MB (and +3 MB over 30,000 visits, the heap after each
 * mark-compact flat at 22 to 30 MB). With the bound lifted (OTEL_BSP_MAX_QUEUE_SIZE=1000000), in 4
 * runs: 24 to 32 MB in the frontend, 52 to 56 MB in the backend. 15 MB is twice the one and well
 * under the other.
 */
const GROWTH_LIMIT_MB = 15;

function memoryGrowth(rss: readonly number[]): number {
  const baseline = Math.max(...rss.slice(SETTLED_ROUNDS, 2 * SETTLED_ROUNDS));
  return Math.max(...rss.slice(-SETTLED_ROUNDS)) - baseline;
}

function memoryRow(pair: LimitedPair, { rss, failed }: Rounds, oomKills: number) {
  const names: FunctionName[] = ['frontend', 'backend'];
  const growth = names.map((name) => memoryGrowth(rss[name]));
  const alive = !pair.frontend.running.child.hasExited() && !pair.backend.running.child.hasExited();
  const series = (name: FunctionName) =>
    `${name} ${rss[name]
      .filter((_, round) => round % 2 === 1)
      .map((mb) => mb.toFixed(0))
      .join(' ')} MB`;
  return {
    scenario: 'Jaeger silent: memory',
    expected: `RSS every 2,000 visits in 256 MiB as deployed: < ${GROWTH_LIMIT_MB} MB more from 4,000-6,000 to 14,000-16,000`,
    observed:
      `${series('frontend')}, ${series('backend')}: ` +
      `${growth.map((mb) => `${mb >= 0 ? '+' : ''}${mb.toFixed(0)}`).join(' and ')} MB; ${failed} failed` +
      `${oomKills > 0 ? `, ${oomKills} OOM kills` : ''}${alive ? '' : ', a process died'}`,
    pass: growth.every((mb) => mb < GROWTH_LIMIT_MB) && failed === 0 && oomKills === 0 && alive,
  };
}

function logRow(counts: readonly LogCount[]) {
  return {
    scenario: 'Jaeger down: export errors logged',
    expected: 'per process: the first at once, then at most 1 line per 30 s',
    observed: counts.map(describeLogCount).join('; '),
    pass: counts.every(withinThrottle),
  };
}

export const deadCollector: Scenario = {
  name: 'dead collector',
  run: async (processes) => {
    const silent = await startSilentCollector();
    let limited: LimitedPair | undefined;
    try {
      limited = await startLimitedPair(
        processes,
        { OTEL_EXPORTER_OTLP_ENDPOINT: silent.endpoint },
        `faults-${process.pid}-dead-collector`,
      );
      const rounds = await visitInRounds(limited, MEMORY_ROUNDS, 1000);
      const oomKills = (await Promise.all([limited.frontend, limited.backend].map(({ cgroup }) => cgroup.read())))
        .map((memory) => memory.oomKills)
        .reduce((sum, kills) => sum + kills, 0);

      const up = await processes.jaeger();
      const withJaeger = await latencyPair(processes, up.otlpEndpoint);
      const ports = await freeJaegerPorts();
      const without = await latencyPair(processes, `http://localhost:${ports.otlpGrpc}`);
      const [upResults = [], downResults = []] = await loadInTurns(
        [withJaeger.frontend.url, without.frontend.url],
        600,
      );
      const p50 = { up: medianMs(upResults), down: medianMs(downResults) };
      const failed = downResults.filter((result) => result.status !== 200).length;
      // The 100 warm-up visits came first: Jaeger down or not, the count goes on from 101, none lost.
      const numbers = downResults.map((result) => result.visitor ?? 0).sort((a, b) => a - b);
      const counted = numbers.every((number, index) => number === 101 + index);
      const alive = !without.frontend.child.hasExited() && !without.backend.child.hasExited();
      // Counted before Jaeger is back on their port, which ends their outage.
      const closedPortLogs = countLogLines(
        'closed port',
        [
          { name: 'frontend', child: without.frontend.child },
          { name: 'backend', child: without.backend.child },
        ],
        without.startedAt,
      );

      const jaeger = await processes.jaeger(ports);
      const arrived = await waitFor(
        'a whole trace once Jaeger is back',
        async () => {
          const [visit] = await runLoad({ url: without.frontend.url, visits: 1, concurrency: 1 });
          return (await wholeTrace(jaeger.queryUrl, visit?.traceId, 2000)) ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 0 },
      ).catch(() => false);

      // The silent collector's exports fail every 10 s for as long as spans wait (some 50 s after the
      // last round): its processes are counted once each has had a second 30 s window to write in, so
      // that a throttle that lets more through, or that never opens again, shows. Past the deadline
      // they are counted as they are.
      const silentProcesses = [limited.frontend, limited.backend].map(({ name, running }) => ({
        name,
        child: running.child,
      }));
      await waitFor(
        'a second export error line from each process of the silent collector',
        async () => (silentProcesses.every(({ child }) => diagLogLines(child) >= 2) ? true : undefined),
        { timeoutMs: Math.max(0, limited.startedAt + 75_000 - performance.now()), intervalMs: 500 },
      ).catch(() => false);
      const silentLogs = countLogLines('silent', silentProcesses, limited.startedAt);

      const ratio = p50.down / p50.up;
      return [
        {
          scenario: 'Jaeger down: visits answered',
          expected: 'all 200, each counted once, no crash',
          observed:
            `${downResults.length - failed} of ${downResults.length} answered 200, ` +
            `${counted ? `numbers 101 to ${100 + downResults.length}` : 'numbers lost or repeated'}; ` +
            `${alive ? 'both alive' : 'a process died'}`,
          pass: failed === 0 && counted && alive,
        },
        {
          scenario: 'Jaeger down: latency',
          expected: 'p50 within 10 % or 5 ms of Jaeger up',
          observed: `p50 ${formatMs(p50.up)} up, ${formatMs(p50.down)} down (${((ratio - 1) * 100).toFixed(1)} %)`,
          // 5 ms: the other test files' load moves a 31 ms median by 3 ms (10.1 % once, in a CI run)
          // whatever Jaeger does; an export that held visits up would cost tens of ms.
          pass: ratio <= 1.1 || p50.down - p50.up <= 5,
        },
        logRow([closedPortLogs, silentLogs]),
        memoryRow(limited, rounds, oomKills),
        {
          scenario: 'Jaeger back',
          expected: "a new visit's whole trace arrives",
          observed: arrived ? 'arrived' : 'none within 60 s',
          pass: arrived === true,
        },
      ];
    } finally {
      await limited?.remove();
      await silent.close();
    }
  },
};
