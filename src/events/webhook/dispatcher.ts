import { Agent } from 'undici';
import { guardedLookup } from '../../security/addressGuard.js';
import { hasMediaRefs } from '../../media/inline.js';
import type { Logger } from 'pino';
import { isRetryable, retryDelayMs, type RetryPolicy } from './retry.js';
import { sendWebhook, type SendInput } from './sender.js';

export interface Delivery extends SendInput {
  /** For logs only: never the body. */
  instance: string;
  event: string;
  attempts: number;
}

export interface DispatcherOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  concurrencyPerDestination: number;
  logger: Logger;
  /** Replaces media references in a body with the media's base64 (webhooks with base64). */
  inlineMedia?: (body: string) => Promise<string>;
}

interface Lane {
  queue: Delivery[];
  active: number;
}

/**
 * In-memory delivery, as upstream does it (WEBHOOK_DURABLE=false): one lane per destination URL with bounded
 * concurrency, keep-alive pools, retries on timers. Nothing survives a restart; the outbox is the durable path.
 */
export class WebhookDispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly agent: Agent;
  private inFlight = 0;
  private closed = false;

  constructor(private readonly opts: DispatcherOptions) {
    this.agent = new Agent({ connections: opts.concurrencyPerDestination, keepAliveTimeout: 30_000, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, connect: { lookup: guardedLookup({ allowPrivate: true }) } });
  }

  enqueue(delivery: Delivery): void {
    if (this.closed) return;
    let lane = this.lanes.get(delivery.url);
    if (!lane) {
      lane = { queue: [], active: 0 };
      this.lanes.set(delivery.url, lane);
    }
    lane.queue.push(delivery);
    this.pump(delivery.url, lane);
  }

  get pending(): number {
    let n = this.inFlight;
    for (const lane of this.lanes.values()) n += lane.queue.length;
    return n;
  }

  async drain(timeoutMs: number): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    if (this.retryTimers.size) this.opts.logger.warn({ dropped: this.retryTimers.size }, 'webhook retries dropped at shutdown');
    this.retryTimers.clear();
    await this.agent.close();
  }

  private pump(url: string, lane: Lane): void {
    while (lane.active < this.opts.concurrencyPerDestination && lane.queue.length) {
      const delivery = lane.queue.shift()!;
      lane.active++;
      this.inFlight++;
      void this.attempt(delivery).finally(() => {
        lane.active--;
        this.inFlight--;
        if (!lane.queue.length && !lane.active) this.lanes.delete(url);
        else this.pump(url, lane);
        if (this.pending === 0) this.idleWaiters.splice(0).forEach((w) => w());
      });
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempts++;
    const inline = this.opts.inlineMedia;
    const result = await sendWebhook(this.agent, inline && hasMediaRefs(delivery.body) ? { ...delivery, body: await inline(delivery.body) } : delivery);
    if (result.ok) return;
    const { retry } = this.opts;
    if (!isRetryable(retry, result.status) || delivery.attempts >= retry.maxAttempts || this.closed) {
      this.opts.logger.warn({ instance: delivery.instance, event: delivery.event, host: new URL(delivery.url).host, attempts: delivery.attempts, error: result.error }, 'webhook delivery failed');
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.enqueue(delivery);
    }, Math.max(retryDelayMs(retry, delivery.attempts), result.retryAfterMs ?? 0));
    this.retryTimers.add(timer);
  }
}
