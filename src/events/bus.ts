import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventName, GatewayEvent } from '../domain/events.js';
import type { Executor } from '../storage/instanceRepository.js';
import type { EventSink } from './sink.js';
import type { CommitQueue } from './commitQueue.js';

export interface EventSource {
  instanceId: string;
  instanceName: string;
  sender?: string;
  token?: string;
}

export type Emit = (source: EventSource, event: EventName, data: unknown, remoteJid?: string) => void;

/**
 * Events count as emitted once they are committed: `commit` runs a state change and the events it causes in one
 * transaction (group-committed with other work, outbox rows included), then hands them to the live sinks.
 */
export class EventBus {
  private readonly sinks: EventSink[] = [];
  private readonly listeners = new Set<(event: GatewayEvent) => void>();

  constructor(private readonly queue: CommitQueue, private readonly logger: Logger) {
    queue.onCommitted = (events) => this.publish(events);
    queue.onPostCommitError = (err) => this.logger.error({ err }, 'after-commit hand-off or observer failed; committed work is not rerun');
  }

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** In-process observers (tests, metrics). */
  subscribe(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  commit<R>(work: (tx: Executor, emit: Emit) => Promise<R>): Promise<R> {
    return this.queue.submit(work);
  }

  /** An event that changes no state. Resolves once it is durable; failures are logged, never thrown. */
  emit(source: EventSource, event: EventName, data: unknown, remoteJid?: string): Promise<void> {
    return this.queue.submit(async (_tx, emit) => emit(source, event, data, remoteJid)).catch((err) => {
      this.logger.error({ err, instance: source.instanceName, event }, 'event could not be stored');
    });
  }

  async drain(timeoutMs: number): Promise<void> {
    await this.queue.idle();
    await Promise.all(this.sinks.map((s) => s.drain(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }

  private publish(events: GatewayEvent[]): void {
    for (const e of events) {
      for (const sink of this.sinks) sink.publish(e);
      for (const l of this.listeners) l(e);
    }
  }
}

export function newEvent(source: EventSource, event: EventName, data: unknown, remoteJid?: string): GatewayEvent {
  const createdAt = new Date();
  return { id: eventId(createdAt.getTime()), event, data, remoteJid, createdAt, ...source };
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids of newer events sort after older ones,
 * so the outbox index on them grows at its end; random v4 ids land on a random index page each, which multiplied the
 * pages every commit (and checkpoint) writes.
 */
export function eventId(nowMs = Date.now()): string {
  const t = nowMs.toString(16).padStart(12, '0');
  // randomUUID(): xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx (V carries the variant bits): keep everything after the version digit.
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
