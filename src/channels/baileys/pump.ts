import type { Logger } from 'pino';
import { HoldBack, type ChannelEvent, type ChannelListener } from '../events.js';

/**
 * Hands the channel's events to the gateway one batch at a time, in order. When the gateway holds back (its queue for
 * the instance is full) the same batch is delivered again after the pause it asks for, so nothing is dropped.
 */
export class EventPump {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly listener: ChannelListener, private readonly log: Logger) {}

  push(events: ChannelEvent[]): Promise<void> {
    const run = this.tail.then(() => this.deliver(events));
    this.tail = run;
    return run;
  }

  /** Resolves once every batch pushed so far was taken. */
  idle(): Promise<void> {
    return this.tail;
  }

  private async deliver(events: ChannelEvent[]): Promise<void> {
    for (;;) {
      try {
        await this.listener.deliver(events);
        return;
      } catch (err) {
        if (!(err instanceof HoldBack)) {
          this.log.error({ err: (err as Error).message, events: events.map((e) => e.type) }, 'channel events were not taken');
          return;
        }
        await new Promise((r) => setTimeout(r, err.retryAfterMs));
      }
    }
  }
}
