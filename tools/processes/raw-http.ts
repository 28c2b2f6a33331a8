// HTTP requests as a hostile client sends them: any method, path, header or body, which fetch
// would refuse to send (TRACE, oversized headers, malformed values, a Host of another name).
import { request } from 'node:http';

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** How long to wait for the answer. */
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawRequest(
  baseUrl: string,
  { method = 'GET', path = '/', headers = {}, body, timeoutMs = 10_000 }: RawRequest,
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = request(
      { host: url.hostname, port: url.port, method, path, headers, timeout: timeoutMs, agent: false },
      (response) => {
        answered = true;
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        response.on('error', reject);
      },
    );
    // A server that refuses a large body answers, then closes while the body is still being sent:
    // the write then fails, but the answer is what counts.
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`No answer to ${method} ${path}`)));
    outgoing.end(body);
  });
}
