import type { GatewayEvent } from '../domain/events.js';
import type { Executor } from '../storage/instanceRepository.js';
import type { DurableEventStore } from './commitQueue.js';

/** Several durable stores in one commit (the webhook outbox, an integration's own queue): each persists in the same transaction. */
export function chainStores(...stores: (DurableEventStore | undefined)[]): DurableEventStore | undefined {
  const present = stores.filter((s): s is DurableEventStore => !!s);
  if (present.length <= 1) return present[0];
  return {
    async persist(events: GatewayEvent[], tx: Executor) {
      const after: (() => void)[] = [];
      for (const s of present) {
        const done = await s.persist(events, tx);
        if (done) after.push(done);
      }
      if (after.length) return () => after.forEach((f) => f());
    },
  };
}
