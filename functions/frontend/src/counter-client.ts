// Talks to the backend over HTTP with node:http on a keep-alive agent (each call a client span of
// src/lib/http-spans.ts, which sees node:http's requests through its diagnostics channels), and
// turns every way that can fail into one of two typed errors. Not fetch: each call through fetch
// cost the frontend about three times the CPU of node:http (WHATWG streams, headers and resource
// timing for a 2-byte answer), and its spans would need undici's channels too.
import type { Agent } from 'node:http';

// The modules' own objects, not ES module namespaces: OpenTelemetry's HTTP instrumentation (the
// zero-code set-up's) wraps their `request` in place, which a namespace's binding, copied at
// import, would not see. And not `import http from`:
// node:http's ES module facade reads every export, and its lazy WebSocket getters load fetch's
// undici, some 13 ms of a cold start for nothing.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

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
}

const COUNTER_VALUE = /^\d+\n?$/;
const LONGEST_ANSWER = 64;

interface Answer {
  status: number;
  /** The body, cut after LONGEST_ANSWER + 1 characters: anything longer is refused anyway. */
  body: string;
}

/** One request, its answer read to the end; rejects with the request's own error or the signal's reason. */
function send(endpoint: URL, method: 'GET' | 'POST', signal: AbortSignal, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { request } = endpoint.protocol === 'https:' ? https : http;
    const outgoing = request(endpoint, { method, agent, signal }, (incoming) => {
      let body = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => {
        if (body.length <= LONGEST_ANSWER) body += chunk;
      });
      incoming.once('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
      incoming.once('error', reject);
    });
    outgoing.once('error', reject);
    outgoing.end();
  });
}

export function createCounterClient({ endpoint }: CounterClientOptions): CounterClient {
  // Connections to the backend are kept and reused between visits, as fetch's were.
  const agent = new (endpoint.protocol === 'https:' ? https : http).Agent({ keepAlive: true });
  const call = async (method: 'GET' | 'POST', signal: AbortSignal): Promise<number> => {
    const what = `${method} ${endpoint.href}`;
    let answer: Answer;
    try {
      answer = await send(endpoint, method, signal, agent);
    } catch (error) {
      if (signal.aborted) throw new BackendTimeoutError(`No answer in time: ${what}`, { cause: error });
      const reason = error instanceof Error ? error.message : String(error);
      throw new BackendError(`Request failed: ${what}: ${reason}`, { cause: error });
    }
    const { status, body } = answer;
    if (status < 200 || status > 299) throw new BackendError(`Request failed with status ${status}: ${what}`);
    if (body.length > LONGEST_ANSWER || !COUNTER_VALUE.test(body)) {
      throw new BackendError(
        `Answer is not a counter value: ${what} gave ${JSON.stringify(body.slice(0, LONGEST_ANSWER))}`,
      );
    }
    return Number(body);
  };

  return {
    read: (signal) => call('GET', signal),
    increase: (signal) => call('POST', signal),
  };
}
