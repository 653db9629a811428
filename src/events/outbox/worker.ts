import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { hasMediaRefs } from '../../media/inline.js';
import type { OutboxRepository, OutboxRow } from '../../storage/outboxRepository.js';
import { retryDelayMs } from '../webhook/retry.js';
import { PartitionLeases } from './leases.js';
import { OutboxLoader } from './loader.js';
import { Scheduler, type Destination, type Lane } from './scheduler.js';
import { DeliveryStats } from './stats.js';
import type { AttemptResult, OutboxTransport } from './transport.js';
import { WriteBack } from './writeBack.js';

export interface WorkerOptions {
  /** The transports by kind: a row of a kind that has none here waits in the outbox. */
  transports: OutboxTransport[];
  /** Sends in flight at once, all destinations together. */
  concurrency: number;
  logger: Logger;
  leaseMs?: number;
  pollMs?: number;
  rescanMs?: number;
  /** Most rows held in memory; loading pauses above it. */
  maxInMemory?: number;
  /** Retention of finished rows (seconds). */
  deliveredRetentionSeconds: number;
  deadRetentionSeconds: number;
  /** Replaces media references in a body with the media's base64 (the row holds no bytes). */
  inlineMedia?: (body: string) => Promise<string>;
}

/**
 * Delivers the outbox, whatever the transport of each row: leasing (PartitionLeases: this process's share of the
 * partitions), loading (OutboxLoader: pending rows into memory), scheduling (Scheduler: lanes of one destination and
 * chat sent one at a time in outbox order, under limits and a breaker per destination), the transport (each kind
 * sends a batch and classifies the outcomes; this class turns a verdict into delivered, retried or dead) and
 * write-back (WriteBack: outcomes and attempts in batches).
 */
export class DeliveryWorker {
  readonly owner = randomUUID();
  /** All transports together. */
  readonly stats = new DeliveryStats();
  /** Per transport kind. */
  readonly statsByKind = new Map<string, DeliveryStats>();
  private readonly transports: Map<string, OutboxTransport>;
  private readonly leases: PartitionLeases;
  private readonly loader: OutboxLoader;
  private readonly scheduler: Scheduler;
  private readonly writeBack: WriteBack;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;
  private readonly leaseMs: number;

  constructor(private readonly repo: OutboxRepository, private readonly opts: WorkerOptions) {
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.transports = new Map(opts.transports.map((t) => [t.kind, t]));
    for (const t of opts.transports) this.statsByKind.set(t.kind, new DeliveryStats());
    this.writeBack = new WriteBack(repo, opts.logger);
    this.leases = new PartitionLeases(repo, this.owner, this.leaseMs, {
      acquired: (ps) => this.loader.takeOver(ps),
      dropped: (p) => {
        this.loader.loadingPartitions.delete(p);
        this.scheduler.dropPartition(p);
      },
      busy: () => this.scheduler.busyPartitions(),
      flush: () => this.writeBack.flush(),
    });
    this.scheduler = new Scheduler(opts.concurrency, this.transports, {
      owns: (p) => this.leases.owned.has(p),
      loading: (p) => this.loader.loadingPartitions.has(p),
      finished: (seq) => this.writeBack.unflushed.has(seq),
      send: (d, lanes, rows) => this.send(d, lanes, rows),
    });
    this.loader = new OutboxLoader(repo, this.writeBack, opts.maxInMemory ?? 50_000, opts.logger, {
      owned: () => [...this.leases.owned],
      add: (row) => {
        if (!this.scheduler.add(row)) return false;
        this.stats.queued++;
        return true;
      },
      inMemory: () => this.scheduler.known.size,
      pump: () => this.scheduler.pump(),
      failed: (ps) => {
        const mine = ps.filter((p) => this.leases.owned.has(p));
        for (const p of mine) this.leases.drop(p);
        void this.leases.release(mine).catch(() => undefined);
      },
    });
  }

  async start(): Promise<void> {
    await this.leases.tick();
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => this.opts.logger.error({ err }, 'outbox worker task failed')), ms);
      this.timers.push(t);
    };
    every(Math.max(500, Math.floor(this.leaseMs / 3)), () => this.leases.tick());
    every(this.opts.pollMs ?? 250, async () => this.notify());
    every(this.opts.rescanMs ?? 5000, () => this.rescan());
    every(60_000, () => this.prune());
  }

  /** New rows were committed: load them soon. */
  notify(): void {
    if (!this.stopped) this.loader.notify();
  }

  /** Rows this process has just committed, with their seqs (undefined: unknown, they are loaded). */
  accept(rows: OutboxRow[] | undefined): void {
    if (!this.stopped) this.loader.accept(rows);
  }

  /** Rows committed by other processes, or replayed, below the cursor: pick them up. */
  rescan(): Promise<void> {
    return this.loader.rescan((seq) => this.scheduler.known.has(seq));
  }

  /** Rows waiting in memory, in flight, and leased partitions. */
  snapshot() {
    return { owner: this.owner, partitions: this.leases.owned.size, queued: this.scheduler.known.size, inFlight: this.scheduler.inFlight, lanes: this.scheduler.lanes.size };
  }

  /** Waits until nothing is in flight or queued for immediate delivery (retries waiting on a timer do not count). */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (this.loader.loading || this.scheduler.busy)) await new Promise((r) => setTimeout(r, 10));
    await this.writeBack.flush();
  }

  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    this.loader.stopped = true;
    this.leases.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.scheduler.stop();
    const deadline = Date.now() + drainMs;
    while (this.scheduler.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await this.writeBack.flush();
    await this.leases.release().catch(() => undefined);
    await Promise.all(this.opts.transports.map((t) => t.close().catch((err) => this.opts.logger.warn({ err, transport: t.kind }, 'transport close failed'))));
  }

  // --- the transport step ---

  private async send(d: Destination, lanes: Lane[], rows: OutboxRow[]): Promise<void> {
    const results = await this.attempt(d.transport, rows);
    const now = Date.now();
    let answered = 0;
    let alive = false;
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!;
      if (!this.scheduler.current(lane)) continue;
      answered++;
      if (this.settle(d.transport, rows[i]!, results[i] ?? { ok: false, latencyMs: 0, error: 'no result' }, lane, now) !== 'retry') alive = true;
    }
    if (answered) d.breaker.record(alive, now);
  }

  /** One attempt at a batch, media inlined. Never rejects. */
  private async attempt(transport: OutboxTransport, rows: OutboxRow[]): Promise<AttemptResult[]> {
    const inline = this.opts.inlineMedia;
    try {
      if (inline && rows.some((r) => hasMediaRefs(r.body))) rows = await Promise.all(rows.map(async (r) => (hasMediaRefs(r.body) ? { ...r, body: await inline(r.body) } : r)));
      return await transport.send(rows);
    } catch (e) {
      const error = (e as Error).message || String(e);
      return rows.map(() => ({ ok: false, latencyMs: 0, error }));
    }
  }

  private settle(transport: OutboxTransport, row: OutboxRow, result: AttemptResult, lane: Lane, now: number): 'delivered' | 'retry' | 'dead' {
    const attempt = row.attempts + 1;
    const stats = this.statsByKind.get(transport.kind)!;
    const record = { outboxSeq: row.seq, attempt, statusCode: result.status ?? null, latencyMs: result.latencyMs, error: result.error?.slice(0, 1000) ?? null, at: now };
    const verdict = transport.classify(result);
    const { retry } = transport.limits;
    if (verdict === 'delivered') {
      this.scheduler.finish(lane, row);
      this.stats.delivered(now - row.createdAt);
      stats.delivered(now - row.createdAt);
      this.writeBack.record({ seq: row.seq, state: 'delivered', attempts: attempt, nextAttemptAt: row.nextAttemptAt, lastStatus: result.status ?? null, lastError: null, deliveredAt: now }, record);
      return verdict;
    }
    if (verdict === 'dead' || attempt >= retry.maxAttempts || now - row.createdAt > retry.maxAgeSeconds * 1000) {
      this.scheduler.finish(lane, row);
      this.stats.dead++;
      stats.dead++;
      this.writeBack.record({ seq: row.seq, state: 'dead', attempts: attempt, nextAttemptAt: now, lastStatus: result.status ?? null, lastError: result.error ?? null, deliveredAt: null }, record);
      this.opts.logger.warn({ instance: row.instanceName, event: row.event, transport: row.kind, id: row.id, correlationId: row.correlationId, target: transport.describe?.(row.target) ?? row.target, attempts: attempt, status: result.status, error: result.error }, 'event delivery dead-lettered');
      return 'dead';
    }
    row.attempts = attempt;
    row.nextAttemptAt = now + Math.min(Math.max(retryDelayMs(retry, attempt), result.retryAfterMs ?? 0), 3_600_000);
    this.stats.retried++;
    stats.retried++;
    this.writeBack.record({ seq: row.seq, state: 'pending', attempts: attempt, nextAttemptAt: row.nextAttemptAt, lastStatus: result.status ?? null, lastError: result.error ?? null, deliveredAt: null }, record);
    return 'retry';
  }

  private async prune(): Promise<void> {
    if (!this.leases.owned.has(0)) return;
    const now = Date.now();
    await this.repo.prune(now - this.opts.deliveredRetentionSeconds * 1000, now - this.opts.deadRetentionSeconds * 1000);
  }
}
