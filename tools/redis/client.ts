// Talks to a Redis server the way the tools need to, without a client library: one command at a
// time over RESP (PING to wait for it, GET to read the count, DEBUG SLEEP to make it slow). The
// backend's own client is ioredis; the tools must not depend on a function's packages.
import { connect, type Socket } from 'node:net';

export class RedisReplyError extends Error {
  override name = 'RedisReplyError';
}

/** A command as Redis reads it: an array of bulk strings. */
export function encodeCommand(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
}

/**
 * The first whole reply in `buffer` (a simple string, error, integer or bulk string; null for a
 * missing value), with the bytes it took; undefined while it is still incomplete.
 */
export function decodeReply(
  buffer: Buffer,
): { value: string | number | null | RedisReplyError; length: number } | undefined {
  const end = buffer.indexOf('\r\n');
  if (end < 0) return undefined;
  const kind = String.fromCharCode(buffer[0] ?? 0);
  const line = buffer.subarray(1, end).toString('utf8');
  switch (kind) {
    case '+':
      return { value: line, length: end + 2 };
    case '-':
      return { value: new RedisReplyError(line), length: end + 2 };
    case ':':
      return { value: Number(line), length: end + 2 };
    case '$': {
      const size = Number(line);
      if (size < 0) return { value: null, length: end + 2 };
      if (buffer.length < end + 2 + size + 2) return undefined;
      return { value: buffer.subarray(end + 2, end + 2 + size).toString('utf8'), length: end + 2 + size + 2 };
    }
    default:
      throw new RedisReplyError(`Not a reply these tools read: ${JSON.stringify(buffer.subarray(0, 40).toString())}`);
  }
}

/** One connection, commands sent one after another. */
export class RedisConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiting: { resolve: (value: string | number | null) => void; reject: (error: Error) => void }[] = [];
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const reply = decodeReply(this.#buffer);
        if (!reply) break;
        this.#buffer = this.#buffer.subarray(reply.length);
        const waiter = this.#waiting.shift();
        if (reply.value instanceof Error) waiter?.reject(reply.value);
        else waiter?.resolve(reply.value);
      }
    });
    const fail = (error: Error) => {
      this.#failure = error;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  /** With `password`, the connection is authenticated (AUTH) before it is answered. */
  static async open(port: number, host = '127.0.0.1', password?: string): Promise<RedisConnection> {
    const connection = await new Promise<RedisConnection>((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RedisConnection(socket));
      });
      socket.once('error', reject);
    });
    if (password === undefined) return connection;
    try {
      await connection.send('AUTH', password);
    } catch (error) {
      connection.close();
      throw error;
    }
    return connection;
  }

  send(...args: string[]): Promise<string | number | null> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** Sends one command on a connection of its own, to a Redis on loopback. */
export function redisCommand(port: number, ...args: string[]): Promise<string | number | null> {
  return authenticatedCommand(port, undefined, ...args);
}

/** As redisCommand, on a connection that first authenticates with `password` (when there is one). */
export async function authenticatedCommand(
  port: number,
  password: string | undefined,
  ...args: string[]
): Promise<string | number | null> {
  const connection = await RedisConnection.open(port, '127.0.0.1', password);
  try {
    return await connection.send(...args);
  } finally {
    connection.close();
  }
}

/**
 * Makes the server at `port` slow for every client until the answer is called: one connection sends
 * `DEBUG SLEEP seconds` again as soon as the last one ends, so each command of another client waits
 * up to that long (Redis runs one command at a time). The server must allow it
 * (`--enable-debug-command local`, as startRedis's `debug` does).
 */
export async function slowDownRedis(port: number, seconds: number): Promise<() => Promise<void>> {
  const connection = await RedisConnection.open(port);
  let running = true;
  const loop = (async () => {
    while (running) await connection.send('DEBUG', 'SLEEP', String(seconds));
  })();
  // A refused DEBUG fails the first sleep: say so now, not at the end.
  await Promise.race([loop, connection.send('PING')]);
  return async () => {
    running = false;
    await loop.catch(() => {});
    connection.close();
  };
}
