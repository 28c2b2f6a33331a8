// Talks to the backend over HTTP with fetch (traced by the undici instrumentation), and turns
// every way that can fail into one of two typed errors.

/** The backend could not be reached, failed, or answered something that is not a counter value. */
export class BackendError extends Error {
  override name = 'BackendError';
}

/** The backend did not answer before the visit's deadline. */
export class BackendTimeoutError extends Error {
  override name = 'BackendTimeoutError';
}

export interface CounterClient {
  read(signal: AbortSignal): Promise<number>;
  /** Asks the backend to add one; answers the new value. */
  increase(signal: AbortSignal): Promise<number>;
}

export interface CounterClientOptions {
  endpoint: URL;
  fetch?: typeof globalThis.fetch;
}

const COUNTER_VALUE = /^\d+\n?$/;
const LONGEST_ANSWER = 64;

export function createCounterClient({ endpoint, fetch = globalThis.fetch }: CounterClientOptions): CounterClient {
  const call = async (method: 'GET' | 'POST', signal: AbortSignal): Promise<number> => {
    const what = `${method} ${endpoint.href}`;
    try {
      const response = await fetch(endpoint, { method, signal });
      const body = await response.text();
      if (!response.ok) throw new BackendError(`Request failed with status ${response.status}: ${what}`);
      if (body.length > LONGEST_ANSWER || !COUNTER_VALUE.test(body)) {
        throw new BackendError(
          `Answer is not a counter value: ${what} gave ${JSON.stringify(body.slice(0, LONGEST_ANSWER))}`,
        );
      }
      return Number(body);
    } catch (error) {
      if (error instanceof BackendError) throw error;
      if (signal.aborted) throw new BackendTimeoutError(`No answer in time: ${what}`, { cause: error });
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new BackendError(`Request failed: ${what}: ${reason}`, { cause: error });
    }
  };

  return {
    read: (signal) => call('GET', signal),
    increase: (signal) => call('POST', signal),
  };
}
