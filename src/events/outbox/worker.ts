import { randomInt, randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { guardedLookup } from '../../security/addressGuard.js';
import { hasMediaRefs } from '../../media/inline.js';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { AttemptRecord, OutboxRepository, OutboxRow, Outcome } from '../../storage/outboxRepository.js';
import { OUTBOX_PARTITIONS } from '../../storage/migrations/002_outbox.js';
import type { SecretBox } from '../../security/secrets.js';
import { isRetryable, retryDelayMs } from '../webhook/retry.js';
import { sendWebhook, type SendResult } from '../webhook/sender.js';
import { WebhookSenderThread } from '../webhook/senderThread.js';
import { CircuitBreaker } from './breaker.js';
import { DeliveryStats } from './stats.js';
import { SealCache } from './sealCache.js';

export interface WorkerOptions {
  webhook: Config['webhook'];
  logger: Logger;
  leaseMs?: number;
  pollMs?: number;
  rescanMs?: number;
  /** Most rows held in memory; loading pauses above it. */
  maxInMemory?: number;
  /** Replaces media references in a body with the media's base64 (webhooks with base64: the row holds no bytes). */
  inlineMedia?: (body: string) => Promise<string>;
}

interface Lane {
  key: string;
  url: string;
  partition: number;
  items: OutboxRow[];
  busy: boolean;
  timer?: NodeJS.Timeout;
}

const LOAD_PAGE = 2000;
const FLUSH_MS = 25;
/**
 * With the sender thread, each destination may have this many times WEBHOOK_CONCURRENCY_PER_DESTINATION requests
 * handed to the thread: its Agent opens at most that many connections to the destination (one request each, no
 * pipelining) and queues the rest, so a connection that frees up is reused at once instead of after two thread hops
 * and a wait for this busy event loop.
 */
const THREAD_WINDOW = 2;

/** Takes a sent row out of its lane: the head, unless rows were inserted before it (see add). */
function removeRow(lane: Lane, row: OutboxRow): void {
  if (lane.items[0] === row) lane.items.shift();
  else {
    const i = lane.items.indexOf(row);
    if (i >= 0) lane.items.splice(i, 1);
  }
}

/**
 * Delivers the outbox. Each process leases a fair share of the outbox partitions (FOR UPDATE SKIP LOCKED on
 * PostgreSQL/MySQL); a lease that is not renewed expires and another process takes the partition over, so a crashed
 * worker's deliveries are retried. Within a partition, deliveries are grouped in lanes (destination + chat) sent one
 * at a time in outbox order; lanes run in parallel under a total and a per-destination limit. Outcomes and attempts
 * are written back in batches.
 */
export class DeliveryWorker {
  readonly owner = randomUUID();
  /** This process's presence row in outboxPartitions (below 0, never a partition): it counts in the fair share from its start. */
  private readonly presence = -1 - randomInt(2 ** 30);
  readonly stats = new DeliveryStats();
  private readonly owned = new Set<number>();
  /** Just acquired, older rows not loaded yet: nothing of these partitions is sent until they are (lane order). */
  private readonly loadingPartitions = new Map<number, object>();
  private ticking = false;
  private readonly lanes = new Map<string, Lane>();
  /** Lanes that can send now, by destination URL (a saturated destination is skipped in one step). */
  private readonly ready = new Map<string, Set<Lane>>();
  private readonly known = new Set<number>();
  /** Finished (delivered or dead) but not yet written back: still "pending" in the database, must not be loaded again. */
  private readonly unflushed = new Set<number>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly perDestination = new Map<string, number>();
  /** In-thread sending (WEBHOOK_SENDER_THREAD=false), or the sender thread. */
  private readonly agent?: Agent;
  private readonly thread?: WebhookSenderThread;
  private readonly sealed: SealCache;
  private readonly timers: NodeJS.Timeout[] = [];
  private outcomes: Outcome[] = [];
  private attempts: AttemptRecord[] = [];
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private cursor = 0;
  private loading = false;
  private loadAgain = false;
  private inFlight = 0;
  private stopped = false;
  private readonly leaseMs: number;
  private readonly maxInMemory: number;

  constructor(private readonly repo: OutboxRepository, box: SecretBox, private readonly opts: WorkerOptions) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.maxInMemory = opts.maxInMemory ?? 50_000;
    this.sealed = new SealCache(box);
    const w = opts.webhook;
    if (w.senderThread) this.thread = new WebhookSenderThread({ connections: w.concurrencyPerDestination, requestTimeoutMs: w.requestTimeoutMs }, opts.logger);
    else this.agent = new Agent({ connections: w.concurrencyPerDestination, keepAliveTimeout: 30_000, headersTimeout: w.requestTimeoutMs, bodyTimeout: w.requestTimeoutMs, connect: { lookup: guardedLookup({ allowPrivate: true }) } });
  }

  async start(): Promise<void> {
    await this.leaseTick();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => this.opts.logger.error({ err }, 'outbox worker task failed')), ms);
      this.timers.push(t);
    };
    every(Math.max(500, Math.floor(this.leaseMs / 3)), () => this.leaseTick());
    every(this.opts.pollMs ?? 250, async () => this.notify());
    every(this.opts.rescanMs ?? 5000, () => this.rescan());
    every(60_000, () => this.prune());
  }

  /** New rows were committed: load them soon. */
  notify(): void {
    if (this.stopped) return;
    if (this.loading) {
      this.loadAgain = true;
      return;
    }
    this.loading = true;
    void this.load()
      .catch((err) => this.opts.logger.error({ err }, 'outbox load failed'))
      .finally(() => {
        this.loading = false;
        if (this.loadAgain) {
          this.loadAgain = false;
          this.notify();
        }
      });
  }

  /**
   * Rows this process has just committed (`undefined`: committed, seqs unknown). When they directly follow the cursor
   * they are queued as they are, without reading them back; after a gap (rows of another process, seqs of a rolled
   * back transaction, or the cursor not caught up yet) a load reads them, and anything in between, from the database.
   */
  accept(rows: OutboxRow[] | undefined): void {
    if (this.stopped) return;
    const contiguous = rows?.every((r, i) => r.seq === this.cursor + 1 + i);
    if (!rows?.length || !contiguous || this.known.size + rows.length > this.maxInMemory) return this.notify();
    for (const row of rows) this.add(row);
    this.cursor = rows.at(-1)!.seq;
    this.pump();
  }

  /** Rows waiting in memory, in flight, and leased partitions. */
  snapshot() {
    return { owner: this.owner, partitions: this.owned.size, queued: this.known.size, inFlight: this.inFlight, lanes: this.lanes.size };
  }

  /** Waits until nothing is in flight or queued for immediate delivery (retries waiting on a timer do not count). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (this.inFlight > 0 || this.loading || [...this.lanes.values()].some((l) => l.items.length && !l.timer))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.flush();
  }

  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const lane of this.lanes.values()) if (lane.timer) clearTimeout(lane.timer);
    const deadline = Date.now() + drainMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await this.flush();
    await this.repo.release(this.owner).catch(() => undefined);
    await this.agent?.close();
    await this.thread?.close();
  }

  // --- leases ---

  private async leaseTick(): Promise<void> {
    // A slow tick (loading many partitions) must not overlap the next one: both would acquire or release.
    if (this.stopped || this.ticking) return;
    this.ticking = true;
    try {
      await this.repo.heartbeat(this.owner, this.presence, this.leaseMs);
      const held = new Set(await this.repo.renew(this.owner, this.leaseMs));
      for (const p of [...this.owned]) if (!held.has(p)) this.dropPartition(p);
      // Every live process has a presence row, also one that holds no partition yet: it gets its share.
      const owners = Math.max(1, await this.repo.liveOwners());
      const share = Math.ceil(OUTBOX_PARTITIONS / owners);
      if (held.size < share) {
        const acquired = await this.repo.acquire(this.owner, share - held.size, this.leaseMs);
        if (acquired.length) this.takeOver(acquired);
      } else if (held.size > share) {
        const extras = [...this.owned].filter((p) => ![...this.lanes.values()].some((l) => l.partition === p && l.busy)).slice(0, held.size - share);
        for (const p of extras) this.dropPartition(p);
        // Outcomes of these partitions are written before another process may load them: else it sends them again.
        await this.flush();
        await this.repo.release(this.owner, extras);
      }
    } finally {
      this.ticking = false;
    }
  }

  /**
   * Loads the rows of partitions just acquired (also those a previous owner left below our cursor), outside the lease
   * tick: a slow load must not delay the renewals. Their lanes send nothing until the load is complete.
   */
  private takeOver(partitions: number[]): void {
    const token = {};
    for (const p of partitions) {
      this.owned.add(p);
      this.loadingPartitions.set(p, token);
    }
    const done = () => {
      for (const p of partitions) if (this.loadingPartitions.get(p) === token) this.loadingPartitions.delete(p);
    };
    this.loadPartitions(partitions).then(
      () => {
        done();
        this.pump();
      },
      (err) => {
        this.opts.logger.error({ err, partitions }, 'could not load acquired outbox partitions; releasing them');
        done();
        const mine = partitions.filter((p) => this.owned.has(p));
        for (const p of mine) this.dropPartition(p);
        void this.repo.release(this.owner, mine).catch(() => undefined);
      },
    );
  }

  private dropPartition(p: number): void {
    this.owned.delete(p);
    this.loadingPartitions.delete(p);
    for (const lane of [...this.lanes.values()]) {
      if (lane.partition !== p) continue;
      if (lane.timer) clearTimeout(lane.timer);
      for (const row of lane.items) this.known.delete(row.seq);
      lane.items = [];
      this.unready(lane);
      this.lanes.delete(lane.key);
    }
  }

  // --- loading ---

  /**
   * Runs a read that loads rows between two write-backs, never across one. A row finished while the read runs is in
   * `unflushed` when its result is added; but had its write-back committed (and left `unflushed`) during the read,
   * the read could still return it as pending and it would be sent again.
   */
  private exclusive<T>(read: () => Promise<T>): Promise<T> {
    const result = this.flushing.then(read);
    this.flushing = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async load(): Promise<void> {
    while (!this.stopped && this.known.size < this.maxInMemory) {
      const count = await this.exclusive(async () => {
        const rows = await this.repo.loadPending([...this.owned], this.cursor, LOAD_PAGE);
        for (const row of rows) this.add(row);
        if (rows.length) this.cursor = Math.max(this.cursor, Number(rows.at(-1)!.seq));
        return rows.length;
      });
      if (count < LOAD_PAGE) break;
    }
    this.pump();
  }

  /** Every pending row of partitions just acquired, also those below the cursor (left by their previous owner). */
  private async loadPartitions(partitions: number[]): Promise<void> {
    let after = 0;
    while (partitions.length) {
      const count = await this.exclusive(async () => {
        const rows = await this.repo.loadPending(partitions, after, LOAD_PAGE);
        for (const row of rows) this.add(row);
        if (rows.length) after = Number(rows.at(-1)!.seq);
        return rows.length;
      });
      if (count < LOAD_PAGE) break;
    }
  }

  /** Rows committed by other processes can become visible after the cursor passed their seq: pick them up. */
  async rescan(): Promise<void> {
    const added = await this.exclusive(async () => {
      const seqs = await this.repo.pendingSeqs([...this.owned], this.cursor);
      const missing = seqs.filter((s) => !this.known.has(s) && !this.unflushed.has(s));
      if (!missing.length) return 0;
      const rows = await this.repo.loadBySeqs(missing.slice(0, LOAD_PAGE));
      for (const row of rows) this.add(row);
      return rows.length;
    });
    if (added) this.pump();
  }

  private add(raw: OutboxRow): void {
    const row = { ...raw, seq: Number(raw.seq), attempts: Number(raw.attempts), nextAttemptAt: Number(raw.nextAttemptAt), createdAt: Number(raw.createdAt) };
    if (this.known.has(row.seq) || this.unflushed.has(row.seq) || !this.owned.has(row.partition)) return;
    this.known.add(row.seq);
    this.stats.queued++;
    let lane = this.lanes.get(row.lane);
    if (!lane) {
      lane = { key: row.lane, url: row.url, partition: row.partition, items: [], busy: false };
      this.lanes.set(row.lane, lane);
    }
    const items = lane.items;
    if (!items.length || items.at(-1)!.seq < row.seq) items.push(row);
    else {
      // A row that became visible late goes in seq order, but never before the head while it is being sent: that
      // send's outcome is for the head (and removing "the first item" afterwards would drop the late row instead).
      const at = items.findIndex((r) => r.seq > row.seq);
      items.splice(lane.busy ? Math.max(1, at) : at, 0, row);
    }
    if (!lane.busy && !lane.timer) this.markReady(lane);
  }

  // --- sending ---

  private pump(): void {
    if (this.stopped) return;
    const limit = this.opts.webhook.concurrency;
    const perDest = this.opts.webhook.concurrencyPerDestination * (this.thread ? THREAD_WINDOW : 1);
    const now = Date.now();
    const served: string[] = [];
    for (const [url, lanes] of this.ready) {
      if (this.inFlight >= limit) break;
      if ((this.perDestination.get(url) ?? 0) >= perDest) continue;
      const breaker = this.breakerFor(url);
      const rest = breaker.waitMs(now);
      for (const lane of lanes) {
        if (this.inFlight >= limit) break;
        const head = lane.items[0];
        if (!head) {
          lanes.delete(lane);
          this.lanes.delete(lane.key);
          continue;
        }
        if (this.loadingPartitions.has(lane.partition)) continue;
        const wait = Math.max(head.nextAttemptAt - now, rest);
        if (wait > 0) {
          this.sleep(lane, wait);
          continue;
        }
        if ((this.perDestination.get(url) ?? 0) >= perDest || !breaker.admit()) break;
        lanes.delete(lane);
        served.push(url);
        void this.send(lane, head);
      }
      if (!lanes.size) this.ready.delete(url);
    }
    // Destinations take turns under the total limit: the ones just served go to the back.
    for (const url of served) {
      const lanes = this.ready.get(url);
      if (!lanes) continue;
      this.ready.delete(url);
      this.ready.set(url, lanes);
    }
  }

  private markReady(lane: Lane): void {
    let lanes = this.ready.get(lane.url);
    if (!lanes) {
      lanes = new Set();
      this.ready.set(lane.url, lanes);
    }
    lanes.add(lane);
  }

  private unready(lane: Lane): void {
    const lanes = this.ready.get(lane.url);
    if (lanes?.delete(lane) && !lanes.size) this.ready.delete(lane.url);
  }

  private sleep(lane: Lane, ms: number): void {
    this.unready(lane);
    if (lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      if (this.lanes.get(lane.key) === lane && !lane.busy) {
        this.markReady(lane);
        this.pump();
      }
    }, ms);
    lane.timer.unref();
  }

  private async send(lane: Lane, row: OutboxRow): Promise<void> {
    lane.busy = true;
    this.inFlight++;
    this.perDestination.set(lane.url, (this.perDestination.get(lane.url) ?? 0) + 1);
    const result = await this.post(row);
    this.inFlight--;
    this.perDestination.set(lane.url, (this.perDestination.get(lane.url) ?? 1) - 1);
    lane.busy = false;
    if (!this.owned.has(lane.partition) || this.lanes.get(lane.key) !== lane) return this.pump();

    const now = Date.now();
    const attempt = row.attempts + 1;
    this.attempts.push({ outboxSeq: row.seq, attempt, statusCode: result.status ?? null, latencyMs: result.latencyMs, error: result.error?.slice(0, 1000) ?? null, at: now });
    // A destination that answers (even 4xx) is alive: only network errors, timeouts and retryable statuses trip the breaker.
    this.breakerFor(lane.url).record(result.ok || !isRetryable(this.opts.webhook.retry, result.status), now);
    if (result.ok) {
      removeRow(lane, row);
      this.known.delete(row.seq);
      this.unflushed.add(row.seq);
      this.stats.delivered(now - row.createdAt);
      this.outcomes.push({ seq: row.seq, state: 'delivered', attempts: attempt, nextAttemptAt: row.nextAttemptAt, lastStatus: result.status ?? null, lastError: null, deliveredAt: now });
    } else {
      const { retry } = this.opts.webhook;
      const final = !isRetryable(retry, result.status) || attempt >= retry.maxAttempts || now - row.createdAt > retry.maxAgeSeconds * 1000;
      if (final) {
        removeRow(lane, row);
        this.known.delete(row.seq);
        this.unflushed.add(row.seq);
        this.stats.dead++;
        this.outcomes.push({ seq: row.seq, state: 'dead', attempts: attempt, nextAttemptAt: now, lastStatus: result.status ?? null, lastError: result.error ?? null, deliveredAt: null });
        this.opts.logger.warn({ instance: row.instanceName, event: row.event, webhookId: row.id, correlationId: row.correlationId, host: new URL(row.url).host, attempts: attempt, status: result.status, error: result.error }, 'webhook delivery dead-lettered');
      } else {
        row.attempts = attempt;
        row.nextAttemptAt = now + Math.min(Math.max(retryDelayMs(retry, attempt), result.retryAfterMs ?? 0), 3_600_000);
        this.stats.retried++;
        this.outcomes.push({ seq: row.seq, state: 'pending', attempts: attempt, nextAttemptAt: row.nextAttemptAt, lastStatus: result.status ?? null, lastError: result.error ?? null, deliveredAt: null });
      }
    }
    this.scheduleFlush();
    if (lane.items.length) this.markReady(lane);
    else this.lanes.delete(lane.key);
    this.pump();
  }

  /** One attempt at a row: from the sender thread, or on this thread. Never rejects. */
  private post(row: OutboxRow): Promise<SendResult> {
    const inline = this.opts.inlineMedia;
    if (inline && hasMediaRefs(row.body)) return inline(row.body).then((body) => this.postBody(row, body), (e: Error) => ({ ok: false, latencyMs: 0, error: e.message }));
    return this.postBody(row, row.body);
  }

  private postBody(row: OutboxRow, body: string): Promise<SendResult> {
    if (this.thread) {
      let headers: string | null = null;
      let secret: string | null = null;
      try {
        headers = row.headers ? this.sealed.open(row.headers) : null;
        secret = row.secret ? this.sealed.open(row.secret) : null;
      } catch (e) {
        return Promise.resolve({ ok: false, latencyMs: 0, error: (e as Error).message });
      }
      return this.thread.send({ id: row.id, url: row.url, body, headers, secret, correlationId: row.correlationId ?? null });
    }
    return sendWebhook(this.agent!, {
      id: row.id,
      url: row.url,
      body,
      headers: row.headers ? JSON.parse(this.sealed.open(row.headers)) : null,
      secret: row.secret ? this.sealed.open(row.secret) : null,
      extra: row.correlationId ? { 'x-correlation-id': row.correlationId } : undefined,
    });
  }

  private breakerFor(url: string): CircuitBreaker {
    let b = this.breakers.get(url);
    if (!b) {
      b = new CircuitBreaker(this.opts.webhook.breaker);
      this.breakers.set(url, b);
    }
    return b;
  }

  // --- write-back ---

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      void this.flush();
    }, FLUSH_MS);
  }

  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.outcomes.length && !this.attempts.length) return;
      const outcomes = this.outcomes;
      const attempts = this.attempts;
      this.outcomes = [];
      this.attempts = [];
      await this.repo.recordOutcomes(outcomes, attempts).catch((err) => {
        this.opts.logger.error({ err, outcomes: outcomes.length }, 'could not record delivery outcomes; they will be delivered again');
      });
      for (const o of outcomes) if (o.state !== 'pending') this.unflushed.delete(o.seq);
    });
    return this.flushing;
  }

  private async prune(): Promise<void> {
    if (!this.owned.has(0)) return;
    const now = Date.now();
    const w = this.opts.webhook;
    await this.repo.prune(now - w.deliveredRetentionSeconds * 1000, now - w.deadRetentionSeconds * 1000);
  }
}
