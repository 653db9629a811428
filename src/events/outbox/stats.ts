/** Delivery counters and event-to-2xx latency, read by the metrics endpoint and the benchmarks. */
export class DeliveryStats {
  queued = 0;
  deliveredCount = 0;
  retried = 0;
  dead = 0;
  private samples: number[] = [];
  private readonly maxSamples = 100_000;
  /** Observer of every event-to-2xx latency (the metrics histogram). */
  onDelivered?: (latencyMs: number) => void;

  delivered(latencyMs: number): void {
    this.deliveredCount++;
    this.onDelivered?.(latencyMs);
    if (this.samples.length < this.maxSamples) this.samples.push(latencyMs);
    else this.samples[Math.floor(Math.random() * this.maxSamples)] = latencyMs;
  }

  /** Percentiles of the event-to-delivery latency seen so far (ms). */
  latency(): { p50: number; p95: number; p99: number; count: number } {
    const sorted = [...this.samples].sort((a, b) => a - b);
    const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);
    return { p50: at(50), p95: at(95), p99: at(99), count: this.deliveredCount };
  }

  resetLatency(): void {
    this.samples = [];
  }
}
