const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When the last `perSecond` calls of one key started (a ring), and where the next one goes. */
interface Window {
  starts: number[];
  next: number;
}

/**
 * One queue per key (a phone number id): callers are let through one at a time, in the order they asked, and a call
 * starts only when fewer than `perSecond` calls of its key started in the last 1 000 ms (a sliding window over the
 * actual start times). So no second ever sees more than `perSecond`, and a late event loop does not lose throughput:
 * the window lets the queue catch up. The platform can pause a key (Retry-After).
 */
export class RateLimiter {
  private readonly tail = new Map<string, Promise<void>>();
  private readonly windows = new Map<string, Window>();
  private readonly last = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly perSecond: number) {}

  /** Resolves when the caller may make its call. */
  take(key: string): Promise<void> {
    const turn = (this.tail.get(key) ?? Promise.resolve()).then(async () => {
      let w = this.windows.get(key);
      if (!w) this.windows.set(key, (w = { starts: new Array<number>(this.perSecond).fill(0), next: 0 }));
      const at = Math.max(w.starts[w.next]! + 1000, this.pausedUntil.get(key) ?? 0);
      const wait = at - Date.now();
      if (wait > 0) await sleep(wait);
      const now = Date.now();
      w.starts[w.next] = now;
      w.next = (w.next + 1) % this.perSecond;
      this.last.set(key, now);
    });
    this.tail.set(key, turn);
    return turn;
  }

  /** No call for `key` starts before `ms` from now. */
  pause(key: string, ms: number): void {
    const until = Date.now() + ms;
    if ((this.pausedUntil.get(key) ?? 0) < until) this.pausedUntil.set(key, until);
  }

  /** Keys idle for a minute are forgotten, so the maps do not grow with every number ever seen. */
  sweep(): void {
    const old = Date.now() - 60_000;
    for (const [key, at] of this.last) {
      if (at >= old || (this.pausedUntil.get(key) ?? 0) >= old) continue;
      this.last.delete(key);
      this.windows.delete(key);
      this.pausedUntil.delete(key);
      this.tail.delete(key);
    }
  }
}
