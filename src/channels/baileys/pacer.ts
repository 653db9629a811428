/**
 * Spreads socket starts over time: at most `perSecond` starts a second, in the order asked. At start-up every instance
 * with credentials asks at once; the pacer turns that into a steady ramp, so 1,000 instances do not open 1,000 WebSockets
 * (and 1,000 Noise handshakes and key loads) in the same second.
 */
export class StartPacer {
  private nextSlot = 0;

  constructor(private readonly perSecond: number) {}

  /** Runs `start` at the next free slot; returns a function that cancels it if it has not run yet. */
  schedule(start: () => void): () => void {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    const timer = setTimeout(start, slot - now);
    timer.unref();
    return () => clearTimeout(timer);
  }
}
