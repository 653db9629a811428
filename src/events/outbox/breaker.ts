export interface BreakerOptions {
  threshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
}

/**
 * Per-destination circuit breaker: after `threshold` consecutive failures the destination rests for a cooldown
 * (doubling up to the maximum); then one probe goes out, and its success closes the circuit.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private cooldown: number;
  private probing = false;

  constructor(private readonly opts: BreakerOptions) {
    this.cooldown = opts.cooldownMs;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.opts.threshold) return 'closed';
    return Date.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** How long a sender must wait before trying this destination. */
  waitMs(now: number): number {
    return this.failures >= this.opts.threshold ? Math.max(0, this.openUntil - now) : 0;
  }

  /** Whether one more request may go now (a half-open circuit lets a single probe through). */
  admit(): boolean {
    if (this.failures < this.opts.threshold) return true;
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  record(ok: boolean, now: number): void {
    this.probing = false;
    if (ok) {
      this.failures = 0;
      this.cooldown = this.opts.cooldownMs;
      return;
    }
    this.failures++;
    if (this.failures >= this.opts.threshold) {
      this.openUntil = now + this.cooldown;
      this.cooldown = Math.min(this.cooldown * 2, this.opts.maxCooldownMs);
    }
  }
}
