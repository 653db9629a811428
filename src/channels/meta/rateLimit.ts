/**
 * Spaces calls per key (a phone number id) so that at most `perSecond` start each second, and pauses a key when the
 * platform asks for it (Retry-After). Callers wait for their slot in the order they asked.
 */
export class RateLimiter {
  private readonly next = new Map<string, number>();
  private readonly interval: number;

  constructor(perSecond: number) {
    this.interval = 1000 / perSecond;
  }

  /** Resolves when the caller may make its call. */
  async take(key: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(key) ?? now);
    this.next.set(key, at + this.interval);
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  }

  /** No call for `key` starts before `ms` from now. */
  pause(key: string, ms: number): void {
    const until = Date.now() + ms;
    if ((this.next.get(key) ?? 0) < until) this.next.set(key, until);
  }

  /** Keys idle for a while are forgotten, so the map does not grow with every number ever seen. */
  sweep(): void {
    const now = Date.now();
    for (const [key, at] of this.next) if (at < now - 60_000) this.next.delete(key);
  }
}
