// The count in memory, handed from one backend to the next when Knative rolls out a new revision, so
// that no visitor number is given twice. Knative sends traffic to a new revision only once it is ready,
// and until then to the old one; so a new backend, before it says it is ready, asks its own Service's
// URL (COUNTER_HANDOFF_URL) to hand the count over, and it is the old backend that answers. The old one
// gives its count and, from that moment, passes every read and increase on to the new one, directly
// at its pod's address, until it stops; so there is one count at any time, in one process. A new
// backend that nobody answers (the first revision, or the only pod of its revision restarted) starts
// at 1 and says so. docs/design.md tells the whole exchange and what it cannot survive.
import { networkInterfaces } from 'node:os';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { createCounter } from './counter.ts';
import {
  type CounterStore,
  CounterStoreTimeoutError,
  CounterStoreUnavailableError,
  START_VALUE,
} from './counter-store.ts';

/** On `POST /`: asks this backend to hand its count over to the backend at the header's URL. */
export const HANDOFF_TO_HEADER = 'counter-handoff-to';
/** On `POST /`: an increase passed on by a backend that handed its count over; its lag is already waited. */
export const FORWARDED_HEADER = 'counter-forwarded';

/**
 * How long one attempt to take the count over may take. An old backend answers in milliseconds; with
 * none (the one pod of a revision restarted), Knative's activator holds the request for a pod that is
 * not ready, and the visits it holds wait for this backend's readiness.
 */
const ATTEMPT_TIMEOUT_MS = 2000;
/** Between attempts. */
const RETRY_MS = 500;

/** A request for the count that cannot be granted (409). */
export class HandoffRefusedError extends Error {
  override name = 'HandoffRefusedError';
}

export interface HandoffCounterOptions {
  /** Where to ask for the count: the backend's own Service. Unset: the count starts here. */
  predecessor?: URL | undefined;
  /** How long to keep asking before starting at 1 (COUNTER_HANDOFF_WAIT_MS). */
  waitMs: number;
  /** This backend's own port, which its successor's address is made of. */
  port: number;
  /** How long a read or increase passed on may take (COUNTER_STORE_TIMEOUT_MS). */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface HandoffCounter extends CounterStore {
  /** Gives the count to `successor` and passes every later read and increase on to it; answers the count. */
  handOver(successor: URL): Promise<number>;
}

type State =
  | { kind: 'taking'; problem: string | undefined }
  | { kind: 'holding'; counter: ReturnType<typeof createCounter> }
  | { kind: 'forwarding'; successor: URL; handed: number };

/** This pod's address as another pod reaches it: its first outward IPv4 address, at `port`. */
export function ownAddress(port: number): URL {
  const outward = Object.values(networkInterfaces())
    .flat()
    .find((address) => address && address.family === 'IPv4' && !address.internal);
  return new URL(`http://${outward?.address ?? '127.0.0.1'}:${port}/`);
}

export function createHandoffCounter({
  predecessor,
  waitMs,
  port,
  timeoutMs,
  log,
}: HandoffCounterOptions): HandoffCounter {
  // This backend's address as a successor names it: found once, not at every request for the count.
  const self = ownAddress(port);
  let closed = false;
  // Settled once the count is held here. The old backend passes visits on from the moment it hands
  // over, a moment before its answer arrives here: those wait for it rather than fail.
  let held: () => void = () => {};
  const holding = new Promise<void>((resolve) => {
    held = resolve;
  });

  function hold(value: number): State {
    held();
    return { kind: 'holding', counter: createCounter(value) };
  }

  let state: State = predecessor ? { kind: 'taking', problem: undefined } : hold(START_VALUE);

  /** Waits, at most `timeoutMs`, for the count to be held here; then it is, or the visit fails. */
  async function untilHeld(): Promise<void> {
    if (state.kind === 'taking') {
      const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([holding, timeout]);
    }
  }

  /** Passes a read or an increase on to the backend that holds the count now. */
  async function passOn(successor: URL, increase: boolean): Promise<number> {
    const headers: Record<string, string> = increase ? { [FORWARDED_HEADER]: 'true' } : {};
    const answer = await send(successor, { method: increase ? 'POST' : 'GET', headers }, timeoutMs).catch(
      (error: unknown) => {
        throw failure(`the backend the count was handed to, ${successor.origin}`, error, timeoutMs);
      },
    );
    if (answer.status !== 200 || answer.value === undefined) {
      throw new CounterStoreUnavailableError(
        `The backend the count was handed to, ${successor.origin}, answered ${answer.status}`,
      );
    }
    return answer.value;
  }

  async function takeOver(from: URL): Promise<void> {
    await untilServing(port);
    const deadline = performance.now() + waitMs;
    while (!closed) {
      let problem: string;
      try {
        const answer = await askForCount(from, self);
        if (answer !== 'nobody') {
          state = hold(answer);
          log(`Took the count over from the backend at ${from.origin}: ${answer}; ready.`);
          return;
        }
        problem = `${from.origin} has no backend yet`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
        if (performance.now() < deadline) {
          state = { kind: 'taking', problem };
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
      }
      state = hold(START_VALUE);
      log(`No backend handed its count over (${problem}): the count starts again at ${START_VALUE}.`);
      return;
    }
  }

  if (predecessor) {
    log(`Taking the count over from the backend at ${predecessor.origin}: not ready until it answers.`);
    void takeOver(predecessor);
  }

  const notHeld = () =>
    new CounterStoreUnavailableError('The count is still being taken over from the previous backend');

  return {
    kind: 'memory',
    read: async () => {
      await untilHeld();
      if (state.kind === 'holding') return state.counter.read();
      if (state.kind === 'forwarding') return passOn(state.successor, false);
      throw notHeld();
    },
    increase: async () => {
      await untilHeld();
      if (state.kind === 'holding') return state.counter.increase();
      if (state.kind === 'forwarding') return passOn(state.successor, true);
      throw notHeld();
    },
    handOver: async (successor) => {
      // Its own address: a request of its own that came back (one held by Knative's activator until
      // this backend was ready). Handing over to itself would pass every visit on to itself, for ever.
      if (successor.host === self.host) {
        throw new HandoffRefusedError(`${successor.origin} is this backend itself`);
      }
      if (state.kind === 'holding') {
        // One step, nothing in between: every increase before it is in the count given, every one
        // after it is passed on.
        const value = state.counter.read();
        state = { kind: 'forwarding', successor, handed: value };
        log(`Handed the count (${value}) over to the backend at ${successor.origin}: passing every visit on to it.`);
        return value;
      }
      if (state.kind === 'forwarding' && state.successor.href === successor.href) {
        // The same backend asks again: its first answer was lost (it gave up waiting). The same count
        // again; the visits passed on since wait there for it.
        return state.handed;
      }
      if (state.kind === 'forwarding') {
        // A third revision while this one still passes visits on: the one holding the count answers,
        // and this one goes on passing visits to the next, which passes them on in turn.
        const answer = await send(
          state.successor,
          { method: 'POST', headers: { [HANDOFF_TO_HEADER]: successor.href } },
          timeoutMs,
        );
        if (answer.status !== 200 || answer.value === undefined) {
          throw new CounterStoreUnavailableError(
            `The backend the count was handed to, ${state.successor.origin}, answered ${answer.status}`,
          );
        }
        return answer.value;
      }
      throw notHeld();
    },
    notReadyReason: () =>
      state.kind === 'taking'
        ? `taking the count over from ${predecessor?.origin}${state.problem ? ` (so far: ${state.problem})` : ''}`
        : undefined,
    close: async () => {
      closed = true;
    },
  };
}

/**
 * Asks `from` to hand its count to `self`: the count, or 'nobody' when nothing serves there yet (no
 * such name, as before Knative made the Service's; or the ingress's 404, as before its route is set).
 */
async function askForCount(from: URL, self: URL): Promise<number | 'nobody'> {
  const headers = { [HANDOFF_TO_HEADER]: self.href };
  const answer = await send(from, { method: 'POST', headers }, ATTEMPT_TIMEOUT_MS).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'ENOTFOUND') return 'nobody' as const;
    throw error;
  });
  if (answer === 'nobody' || answer.status === 404) return 'nobody';
  if (answer.status !== 200 || answer.value === undefined) throw new Error(`${from.origin} answered ${answer.status}`);
  return answer.value;
}

// node:http, not fetch: each request a client span of src/lib/http-spans.ts (a visit passed on shows in
// its trace), and no undici loaded at start-up (as src/counter-client.ts in the frontend).
const http = process.getBuiltinModule('node:http');

/** One request; the status, and the body as a count when it is one. */
function send(
  url: URL,
  { method, headers }: { method: string; headers: Record<string, string> },
  timeoutMs: number,
): Promise<{ status: number; value: number | undefined }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        if (body.length <= 64) body += chunk;
      });
      incoming.once('end', () => {
        const text = body.trim();
        resolve({ status: incoming.statusCode ?? 0, value: /^\d{1,15}$/.test(text) ? Number(text) : undefined });
      });
      incoming.once('error', reject);
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

function failure(what: string, error: unknown, timeoutMs: number): Error {
  if (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error.cause as Error | undefined)?.name === 'TimeoutError')
  ) {
    return new CounterStoreTimeoutError(`${what} did not answer within ${timeoutMs} ms`, timeoutMs, { cause: error });
  }
  const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error;
  return new CounterStoreUnavailableError(`${what} is unreachable: ${reason}`, { cause: error });
}

/** Waits until this process's own server answers, so that a backend that hands over can reach it. */
async function untilServing(port: number): Promise<void> {
  const liveness = new URL(`http://127.0.0.1:${port}/health/liveness`);
  for (;;) {
    // Not traced: a probe of its own, as Knative's probes are not.
    const probe = () => send(liveness, { method: 'GET', headers: {} }, 1000);
    const up = await context.with(suppressTracing(context.active()), probe).then(
      (answer) => answer.status === 200,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
