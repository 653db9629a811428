import type { BaileysEventMap, GroupMetadata } from 'baileys';
import { BoundedMap } from './caches.js';

/**
 * Group metadata kept for sends: the library reads it (cachedGroupMetadata) instead of asking the server before every
 * group message, which is what gets accounts `rate-overlimit`. Bounded; kept current from the group events.
 */
export class GroupCache {
  private readonly groups: BoundedMap<string, GroupMetadata>;

  constructor(max: number) {
    this.groups = new BoundedMap(max, 3_600_000);
  }

  get(jid: string): GroupMetadata | undefined {
    return this.groups.get(jid);
  }

  put(g: GroupMetadata): void {
    this.groups.set(g.id, g);
  }

  forget(jid: string): void {
    this.groups.delete(jid);
  }

  /** Fetches the metadata once when it is not cached. */
  async ensure(jid: string, fetch: (jid: string) => Promise<GroupMetadata>): Promise<void> {
    if (!this.groups.has(jid)) this.groups.set(jid, await fetch(jid));
  }

  /** Keeps entries current: new groups stored, changed ones merged, membership changes applied. */
  observe(ev: Partial<BaileysEventMap>): void {
    for (const g of ev['groups.upsert'] ?? []) this.groups.set(g.id, g);
    for (const u of ev['groups.update'] ?? []) {
      const known = u.id ? this.groups.get(u.id) : undefined;
      if (known) this.groups.set(known.id, { ...known, ...u, id: known.id });
    }
    const p = ev['group-participants.update'];
    const known = p ? this.groups.get(p.id) : undefined;
    if (!p || !known) return;
    const ids = new Set(p.participants.map((x) => x.id));
    let participants = known.participants;
    if (p.action === 'add') participants = [...participants.filter((x) => !ids.has(x.id)), ...p.participants.map((x) => ({ ...x, admin: null }))];
    else if (p.action === 'remove') participants = participants.filter((x) => !ids.has(x.id));
    else if (p.action === 'promote' || p.action === 'demote') participants = participants.map((x) => (ids.has(x.id) ? { ...x, admin: p.action === 'promote' ? 'admin' : null } : x));
    this.groups.set(known.id, { ...known, participants, size: participants.length });
  }

  get size(): number {
    return this.groups.size;
  }
}
