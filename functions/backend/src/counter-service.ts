// The backend's two operations, each step a span so that a trace shows where the time goes.
import { trace } from '@opentelemetry/api';
import type { LagRange } from './config.ts';
import { type CounterStore, START_VALUE } from './counter-store.ts';
import { chooseLagMs } from './lag.ts';
import { inSpan } from './lib/spans.ts';

const tracer = trace.getTracer('backend');

export interface CounterService {
  read(): Promise<number>;
  /** Waits the simulated lag, then adds one; answers the new value. */
  increase(): Promise<number>;
  /** Adds one at once: an increase passed on by a backend that handed its count over, its lag already waited. */
  increasePassedOn(): Promise<number>;
  /** Hands the count over to the backend at `successor` (undefined: this store has nothing to hand over). */
  handOver(successor: URL): Promise<number> | undefined;
}

export interface CounterServiceOptions {
  counter: CounterStore;
  lag: LagRange;
  /** Waited inside each read: another slow step, for trying the diagnosis on. */
  readDelayMs?: number;
  random: () => number;
  sleep: (ms: number) => Promise<void>;
}

export function createCounterService({
  counter,
  lag,
  readDelayMs = 0,
  random,
  sleep,
}: CounterServiceOptions): CounterService {
  const readCounter = () =>
    inSpan(tracer, 'read counter', async (span) => {
      span.setAttribute('counter.store', counter.kind);
      if (readDelayMs > 0) await sleep(readDelayMs);
      const value = await counter.read();
      span.setAttribute('counter.value', value);
      return value;
    });

  const simulateLag = () =>
    inSpan(tracer, 'simulate lag', async (span) => {
      const delayMs = chooseLagMs(lag, random);
      span.setAttributes({ 'lag.duration_ms': delayMs, 'lag.min_ms': lag.minMs, 'lag.max_ms': lag.maxMs });
      // No lag is no wait: a timer of 0 ms still takes a turn of the event loop, 1 ms or more, which a
      // diagnosis of a system with no lag then blamed (seen in a CI run here).
      if (delayMs > 0) await sleep(delayMs);
    });

  const increaseCounter = () =>
    inSpan(tracer, 'increase counter', async (span) => {
      span.setAttribute('counter.store', counter.kind);
      const value = await counter.increase();
      span.setAttribute('counter.value', value);
      return value;
    });

  return {
    read: readCounter,
    increase: async () => {
      await simulateLag();
      return increaseCounter();
    },
    increasePassedOn: increaseCounter,
    handOver: (successor) =>
      counter.handOver &&
      inSpan(tracer, 'hand count over', async (span) => {
        span.setAttribute('counter.successor', successor.origin);
        const value = await counter.handOver?.(successor);
        span.setAttribute('counter.value', value ?? -1);
        return value ?? START_VALUE;
      }),
  };
}
