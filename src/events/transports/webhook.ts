import { Agent } from 'undici';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import { guardedLookup } from '../../security/addressGuard.js';
import type { SecretBox } from '../../security/secrets.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import { SealCache } from '../outbox/sealCache.js';
import type { AttemptResult, DeliveryLimits, OutboxTransport, Verdict } from '../outbox/transport.js';
import { isRetryable } from '../webhook/retry.js';
import { sendWebhook } from '../webhook/sender.js';
import { WebhookSenderThread } from '../webhook/senderThread.js';

/**
 * With the sender thread, each destination may have this many times WEBHOOK_CONCURRENCY_PER_DESTINATION requests
 * handed to the thread: its Agent opens at most that many connections to the destination (one request each, no
 * pipelining) and queues the rest, so a connection that frees up is reused at once instead of after two thread hops
 * and a wait for this busy event loop.
 */
const THREAD_WINDOW = 2;

/**
 * Webhooks as an outbox transport: a row's target is the URL, its options the sealed custom headers, its secret the
 * sealed signing secret. One POST per row (a destination is one URL), from the sender thread or this thread; 2xx is
 * delivered, a status listed in WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES is dead, anything else is retried.
 */
export class WebhookTransport implements OutboxTransport {
  readonly kind = 'webhook';
  readonly limits: DeliveryLimits;
  private readonly agent?: Agent;
  private readonly thread?: WebhookSenderThread;
  private readonly sealed: SealCache;

  constructor(private readonly config: Config['webhook'], box: SecretBox, logger: Logger) {
    this.sealed = new SealCache(box);
    const w = config;
    this.limits = { concurrencyPerDestination: w.concurrencyPerDestination * (w.senderThread ? THREAD_WINDOW : 1), batchSize: 1, breaker: w.breaker, retry: w.retry };
    if (w.senderThread) this.thread = new WebhookSenderThread({ connections: w.concurrencyPerDestination, requestTimeoutMs: w.requestTimeoutMs }, logger);
    else this.agent = new Agent({ connections: w.concurrencyPerDestination, keepAliveTimeout: 30_000, headersTimeout: w.requestTimeoutMs, bodyTimeout: w.requestTimeoutMs, connect: { lookup: guardedLookup({ allowPrivate: true }) } });
  }

  destinationOf(target: string): string {
    return target;
  }

  describe(target: string): string {
    return new URL(target).host;
  }

  send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    if (rows.length === 1) return this.post(rows[0]!).then((r) => [r]);
    return Promise.all(rows.map((r) => this.post(r)));
  }

  /** A destination that answers (even 4xx) is alive; only network errors, timeouts and retryable statuses are retried. */
  classify(result: AttemptResult): Verdict {
    if (result.ok) return 'delivered';
    return isRetryable(this.config.retry, result.status) ? 'retry' : 'dead';
  }

  async close(): Promise<void> {
    await this.agent?.close();
    await this.thread?.close();
  }

  private post(row: OutboxRow): Promise<AttemptResult> {
    if (this.thread) {
      let headers: string | null = null;
      let secret: string | null = null;
      try {
        headers = row.options ? this.sealed.open(row.options) : null;
        secret = row.secret ? this.sealed.open(row.secret) : null;
      } catch (e) {
        return Promise.resolve({ ok: false, latencyMs: 0, error: (e as Error).message });
      }
      return this.thread.send({ id: row.id, url: row.target, body: row.body, headers, secret, correlationId: row.correlationId ?? null });
    }
    try {
      return sendWebhook(this.agent!, {
        id: row.id,
        url: row.target,
        body: row.body,
        headers: row.options ? JSON.parse(this.sealed.open(row.options)) : null,
        secret: row.secret ? this.sealed.open(row.secret) : null,
        extra: row.correlationId ? { 'x-correlation-id': row.correlationId } : undefined,
      });
    } catch (e) {
      return Promise.resolve({ ok: false, latencyMs: 0, error: (e as Error).message });
    }
  }
}
