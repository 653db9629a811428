import type { OutboxRow } from '../../storage/outboxRepository.js';
import type { BreakerOptions } from './breaker.js';

/** What one attempt at one row came to, as the transport saw it. */
export interface AttemptResult {
  ok: boolean;
  /** A status the destination answered (HTTP status, broker reply code), for the attempt log. */
  status?: number;
  latencyMs: number;
  error?: string;
  /** The destination asked to be left alone this long (Retry-After). */
  retryAfterMs?: number;
}

/** delivered: done; retry: try again later (the destination is down or busy); dead: it will never take this row. */
export type Verdict = 'delivered' | 'retry' | 'dead';

export interface RetryPolicy {
  maxAttempts: number;
  initialDelaySeconds: number;
  maxDelaySeconds: number;
  useExponentialBackoff: boolean;
  jitterFactor: number;
  /** Rows older than this are dead-lettered instead of retried. */
  maxAgeSeconds: number;
}

/** How a transport's destinations are scheduled: limits, breaker and retries apply to each destination. */
export interface DeliveryLimits {
  /** Sends (batches) in flight to one destination. */
  concurrencyPerDestination: number;
  /** Rows in one send: heads of different lanes (chats) of one destination. */
  batchSize: number;
  breaker: BreakerOptions;
  retry: RetryPolicy;
}

/**
 * One kind of destination of the outbox (webhook, RabbitMQ, NATS, ...). The worker leases, loads and schedules rows;
 * a transport only sends a batch of rows of one destination and classifies each outcome. `send` never rejects: a
 * failure is an AttemptResult with ok=false, and its results come in the order of the rows.
 */
export interface OutboxTransport {
  readonly kind: string;
  readonly limits: DeliveryLimits;
  /** The destination of a target (lanes, limits and the breaker are per destination): a webhook URL, a broker. */
  destinationOf(target: string): string;
  send(rows: OutboxRow[]): Promise<AttemptResult[]>;
  classify(result: AttemptResult): Verdict;
  /** A short description of a target for logs (never a secret). */
  describe?(target: string): string;
  close(): Promise<void>;
}

/** The classification of the transports that have no permanent failure: anything not ok is retried. */
export function retryUnlessOk(result: AttemptResult): Verdict {
  return result.ok ? 'delivered' : 'retry';
}
