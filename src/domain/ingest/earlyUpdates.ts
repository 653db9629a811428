import type { MessageUpdate } from '../../channels/events.js';

/**
 * Updates (acks mostly) that arrived before the message they belong to was stored: kept, bounded and for a while,
 * and applied in the batch that stores the message.
 */
export class EarlyUpdates {
  private readonly byKeyId = new Map<string, { updates: MessageUpdate[]; until: number }>();

  constructor(private readonly max = 10_000, private readonly ttlMs = 10 * 60_000) {}

  keep(update: MessageUpdate): void {
    const id = update.key.id;
    const entry = this.byKeyId.get(id);
    if (entry) entry.updates.push(update);
    else {
      if (this.byKeyId.size >= this.max) this.byKeyId.delete(this.byKeyId.keys().next().value!);
      this.byKeyId.set(id, { updates: [update], until: Date.now() + this.ttlMs });
    }
  }

  /** The kept (unexpired) updates of these key ids; they stay kept until `forget`, once they are committed. */
  peek(keyIds: Iterable<string>): MessageUpdate[] {
    if (!this.byKeyId.size) return [];
    const now = Date.now();
    const out: MessageUpdate[] = [];
    for (const id of keyIds) {
      const entry = this.byKeyId.get(id);
      if (entry && entry.until >= now) out.push(...entry.updates);
    }
    return out;
  }

  forget(keyIds: Iterable<string>): void {
    if (!this.byKeyId.size) return;
    for (const id of keyIds) this.byKeyId.delete(id);
  }

  get size(): number {
    return this.byKeyId.size;
  }
}
