import type { Logger } from 'pino';

/**
 * One connection to a broker, opened on first use and again after it is lost, never more often than an exponential
 * backoff allows (250 ms doubling to 10 s, reset by a successful open): while the broker is down, sends fail fast
 * (their rows are retried by the outbox) instead of each waiting for a connect attempt.
 */
export class Reconnecting<C> {
  private current?: Promise<C>;
  private nextTry = 0;
  private delay = 250;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly open: (lost: () => void) => Promise<C>,
    private readonly shut: (c: C) => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  get(): Promise<C> {
    if (this.closed) return Promise.reject(new Error(`${this.name} transport closed`));
    if (this.current) return this.current;
    const now = Date.now();
    if (now < this.nextTry) return Promise.reject(new Error(`${this.name} unavailable; next connection attempt in ${this.nextTry - now} ms`));
    const attempt = this.open(() => this.lost(attempt)).then(
      (c) => {
        this.delay = 250;
        this.logger.info({ transport: this.name }, 'event transport connected');
        return c;
      },
      (err: Error) => {
        if (this.current === attempt) this.current = undefined;
        this.nextTry = Date.now() + this.delay;
        this.delay = Math.min(this.delay * 2, 10_000);
        this.logger.warn({ transport: this.name, err: err.message }, 'event transport cannot connect; retrying with backoff');
        throw err;
      },
    );
    this.current = attempt;
    return attempt;
  }

  /**
   * One send over the connection: rows fail together (and are retried by the outbox) when there is no connection,
   * or when the send throws, which also drops the connection (a channel or socket in an unknown state).
   */
  async send<R>(rows: readonly unknown[], fn: (c: C, started: number) => Promise<R[]>): Promise<Array<R | ReturnType<typeof failAll>[number]>> {
    const started = Date.now();
    let c: C;
    try {
      c = await this.get();
    } catch (e) {
      return failAll(rows, e, started);
    }
    try {
      return await fn(c, started);
    } catch (e) {
      this.lost();
      return failAll(rows, e, started);
    }
  }

  /** The connection broke (or a send showed it is unusable): the next get() opens a new one. */
  lost(which?: Promise<C>): void {
    if (which && which !== this.current) return;
    const c = this.current;
    this.current = undefined;
    if (!this.closed) this.logger.warn({ transport: this.name }, 'event transport connection lost');
    c?.then((x) => this.shut(x)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.current;
    this.current = undefined;
    if (c) await c.then((x) => this.shut(x)).catch(() => undefined);
  }
}

/** Rejects after `ms` unless the promise settles first. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The same failure for every row of a batch. */
export function failAll(rows: readonly unknown[], err: unknown, started: number): Array<{ ok: false; latencyMs: number; error: string }> {
  const error = (err as Error)?.message || String(err);
  return rows.map(() => ({ ok: false as const, latencyMs: Date.now() - started, error }));
}
