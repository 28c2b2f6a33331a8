// Small HTTP calls the cluster's start-up makes to see what is ready: to the API server with the
// admin's certificate, and to ports inside the namespace through the bridge.
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connectInside, type Target } from './bridge.ts';

export interface ApiConnection {
  /** https://127.0.0.1:<port> */
  server: string;
  ca: string;
  cert: string;
  key: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export async function apiConnection(
  server: string,
  files: { ca: string; cert: string; key: string },
): Promise<ApiConnection> {
  const [ca, cert, key] = await Promise.all([files.ca, files.cert, files.key].map((file) => readFile(file, 'utf8')));
  return { server, ca: ca ?? '', cert: cert ?? '', key: key ?? '' };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One request to the API server; `body` is sent as JSON. Rejects only when no answer comes. */
export function apiRequest(
  connection: ApiConnection,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 5000,
): Promise<ApiResponse> {
  const url = new URL(path, connection.server);
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      {
        method,
        ca: connection.ca,
        cert: connection.cert,
        key: connection.key,
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        timeout: timeoutMs,
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: parse(text) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/**
 * POSTs `object` to the collection at `path` unless it is there already (409); answers the error's
 * text, for the caller's own error, when the API server refuses it.
 */
export async function createUnlessPresent(
  connection: ApiConnection,
  path: string,
  object: { kind: string },
): Promise<string | undefined> {
  const { status, body } = await apiRequest(connection, 'POST', path, object);
  return status === 201 || status === 409 ? undefined : `HTTP ${status} ${JSON.stringify(body)}`;
}

/** GET `path` over plain HTTP from `target` inside the namespace, through the bridge: the status code. */
export function getInside(bridgeSocket: string, target: Target, path: string, timeoutMs = 2000): Promise<number> {
  return new Promise((resolve, reject) => {
    const options = {
      host: target.host,
      port: target.port,
      path,
      timeout: timeoutMs,
      createConnection: () => connectInside(bridgeSocket, target),
    };
    const request = httpRequest(options, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.once('error', reject);
    request.end();
  });
}
