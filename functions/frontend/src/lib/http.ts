// Generated from functions/lib/http.ts by tools/commands/generate-lib.ts (npm run build): do not edit.
// A request as the core sees it, and the reply it hands back to an adapter (faas-js-runtime or express).

/** What the core needs to know of a request (named apart from the global `Request`, which is fetch's). */
export interface CoreRequest {
  method: string;
  /** A request body was sent (its content is never read). */
  hasBody: boolean;
  /** A request header's value (the first, if sent more than once); `name` in lower case. */
  header?: (name: string) => string | undefined;
}

/** The first value of a header as Node keeps them (`name` in lower case). */
export function firstHeader(headers: Readonly<Record<string, string | string[] | undefined>>, name: string) {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Bodies above this are refused with 413: faas-js-runtime's limit, applied to the express entry too. */
export const BODY_LIMIT_BYTES = 1_048_576;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function textReply(status: number, body: string, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body };
}

export function methodNotAllowed(method: string, allowed: readonly string[]): Reply {
  return textReply(405, `Method ${method} is not allowed here; use ${allowed.join(' or ')}.\n`, {
    allow: allowed.join(', '),
  });
}
