import type { GatewayEvent } from '../domain/events.js';

/** Every event transport (webhook today; websocket, AMQP, NATS... later) implements this. */
export interface EventSink {
  readonly name: string;
  /** Accepts an event. Must not block: delivery happens in the background. */
  publish(event: GatewayEvent): void;
  /** Waits until in-flight deliveries finish, or the timeout passes. */
  drain(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}
