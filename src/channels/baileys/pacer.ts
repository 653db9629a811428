/**
 * Spreads socket starts over time: at most `perSecond` starts a second, in the order asked. At start-up every instance
 * with credentials asks at once; the pacer turns that into a steady ramp, so 1,000 instances do not open 1,000 WebSockets
 * (and 1,000 Noise handshakes and key loads) in the same second.
 */
interface Entry {
  start: () => void;
  cancelled: boolean;
  timer?: NodeJS.Timeout;
}

export class StartPacer {
  private nextSlot = 0;
  /** Starts asked for before `release`: the server is not answering yet, and sockets would slow its start. */
  private held: Entry[] | undefined = [];

  constructor(private readonly perSecond: number, holdAtMostMs = 15_000) {
    setTimeout(() => this.release(), holdAtMostMs).unref();
  }

  /** Lets the held starts go (in order, paced), and every later one. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const entry of held ?? []) if (!entry.cancelled) this.plan(entry);
  }

  /** Runs `start` at the next free slot; returns a function that cancels it if it has not run yet. */
  schedule(start: () => void): () => void {
    const entry: Entry = { start, cancelled: false };
    if (this.held) this.held.push(entry);
    else this.plan(entry);
    return () => {
      entry.cancelled = true;
      clearTimeout(entry.timer);
    };
  }

  private plan(entry: Entry): void {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / this.perSecond;
    entry.timer = setTimeout(() => entry.cancelled || entry.start(), slot - now);
    entry.timer.unref();
  }
}
