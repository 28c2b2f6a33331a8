// Where the count lives, behind one small interface: in this process (counter.ts) or in Redis
// (redis-counter.ts). The store is created at start-up and passed in; nothing else holds a count.

export interface CounterStore {
  /** What it is, for logs and spans: "memory", or "redis". */
  readonly kind: 'memory' | 'redis';
  /** The value now. The count starts at 1 (the tutorial's), so the first increase answers 2. */
  read(): number | Promise<number>;
  /** Adds one, atomically, and answers the new value. */
  increase(): number | Promise<number>;
  /** Why visits cannot be served yet (undefined: ready). The readiness checks answer 503 with it. */
  notReadyReason(): string | undefined;
  /** Lets go of what it holds (a connection); called once, at shutdown. */
  close(): Promise<void>;
  /**
   * Gives the count to the backend at `successor` and passes every later read and increase on to it;
   * answers the count. Only a count in memory has one to hand over (handoff-counter.ts).
   */
  handOver?(successor: URL): Promise<number>;
}

/** The value of a count that was never increased: visitor number 1 comes next. */
export const START_VALUE = 1;

/** The store cannot be reached now: the visit answers 503, and may succeed once it is back. */
export class CounterStoreUnavailableError extends Error {
  override name = 'CounterStoreUnavailableError';
}

/** The store did not answer within its timeout: the visit answers 504. */
export class CounterStoreTimeoutError extends Error {
  override name = 'CounterStoreTimeoutError';
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number, options?: ErrorOptions) {
    super(message, options);
    this.timeoutMs = timeoutMs;
  }
}
