import { randomUUID } from 'node:crypto';
import type { EventName, GatewayEvent } from '../domain/events.js';
import type { EventSink } from './sink.js';

export interface EventSource {
  instanceId: string;
  instanceName: string;
  sender?: string;
  token?: string;
}

/** Fans every domain event out to the configured sinks. Emitting never waits for delivery. */
export class EventBus {
  private readonly sinks: EventSink[] = [];
  private readonly listeners = new Set<(event: GatewayEvent) => void>();

  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** In-process observers (tests, metrics). */
  subscribe(listener: (event: GatewayEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(source: EventSource, event: EventName, data: unknown, remoteJid?: string): GatewayEvent {
    const e: GatewayEvent = { id: randomUUID(), event, data, remoteJid, createdAt: new Date(), ...source };
    for (const sink of this.sinks) sink.publish(e);
    for (const l of this.listeners) l(e);
    return e;
  }

  async drain(timeoutMs: number): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.drain(timeoutMs)));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
