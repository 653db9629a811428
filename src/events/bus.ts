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
  return { id: randomUUID(), event, data, remoteJid, createdAt: new Date(), ...source };
}
