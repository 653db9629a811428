import { isLidUser, isPnUser, jidNormalizedUser } from 'baileys';
import { BoundedMap } from './caches.js';

/** Where the library keeps its own (persisted) LID <-> phone-number mappings: in the key store, so in the database. */
export interface LidStore {
  storeLIDPNMappings(pairs: Array<{ lid: string; pn: string }>): Promise<void>;
  getPNsForLIDs(lids: string[]): Promise<Array<{ lid: string; pn: string }> | null>;
}

/**
 * One account's LID <-> phone-number map: a bounded in-memory view over the library's store, fed from every source the
 * library gives (remoteJidAlt, participantAlt, sender PNs of messages, contacts, history, lid-mapping.update).
 */
export class LidMap {
  private readonly pnByLid: BoundedMap<string, string>;
  store: LidStore | undefined;

  constructor(max = 10_000) {
    this.pnByLid = new BoundedMap(max);
  }

  /** Records a pair (either order, any device suffix); pairs the library did not know are written to its store. */
  learn(a: string | null | undefined, b: string | null | undefined): void {
    if (!a || !b) return;
    const [lid, pn] = isLidUser(a) ? [a, b] : [b, a];
    if (!isLidUser(lid) || !isPnUser(pn)) return;
    const l = jidNormalizedUser(lid);
    const p = jidNormalizedUser(pn);
    if (this.pnByLid.get(l) === p) return;
    this.pnByLid.set(l, p);
    this.store?.storeLIDPNMappings([{ lid: l, pn: p }]).catch(() => undefined);
  }

  /** The phone-number JID of a LID JID when known; any other JID as it is. */
  pnOf(jid: string): string {
    return isLidUser(jid) ? (this.pnByLid.get(jidNormalizedUser(jid)) ?? jid) : jid;
  }

  /** Loads from the library's store the LIDs among `jids` this view does not hold yet. */
  async resolve(jids: Iterable<string | null | undefined>): Promise<void> {
    const missing = [...new Set([...jids].filter((j): j is string => !!j && !!isLidUser(j)).map((j) => jidNormalizedUser(j)))].filter((l) => !this.pnByLid.has(l));
    if (!missing.length || !this.store) return;
    const found = await this.store.getPNsForLIDs(missing).catch(() => null);
    for (const { lid, pn } of found ?? []) this.pnByLid.set(jidNormalizedUser(lid), jidNormalizedUser(pn));
  }

  get size(): number {
    return this.pnByLid.size;
  }
}
