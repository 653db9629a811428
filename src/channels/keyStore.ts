import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuthStateRepository } from '../storage/authStateRepository.js';
import type { ChannelKeyRepository, KeyChange } from '../storage/keyStoreRepository.js';

/** A channel's auth state, bound to one instance: its credentials plus keyed entries (type, id) -> value, kept in the database. */
export interface ChannelKeyStore {
  loadCredentials<T>(): Promise<T | undefined>;
  saveCredentials(value: unknown): Promise<void>;
  /** Baileys' SignalKeyStore shape: missing ids are absent from the result. */
  get<T = unknown>(type: string, ids: string[]): Promise<Record<string, T>>;
  /** data[type][id] = value; a null value deletes the entry. */
  set(data: Record<string, Record<string, unknown | null>>): Promise<void>;
  /**
   * Writes made inside fn are buffered (reads inside see them) and committed in ONE database transaction when fn resolves;
   * if fn throws, nothing is written. Nested calls join the outer one.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** Removes the credentials and every key. */
  clear(): Promise<void>;
}

/** Writes buffered by a running transaction. A key mapped to null is deleted; cleared drops everything stored before. */
interface Pending {
  keys: Map<string, Map<string, unknown | null>>;
  credentials?: { value: unknown };
  cleared: boolean;
  /** fn has resolved: work it left running writes straight to the database instead of into a buffer already committed. */
  done: boolean;
}

/** The running transaction of each store, per async context, so calls made outside it (other chats, other requests) are not captured. */
const running = new AsyncLocalStorage<ReadonlyMap<object, Pending>>();

export function instanceKeyStore(repos: { authState: AuthStateRepository; channelKeys: ChannelKeyRepository }, instanceId: string): ChannelKeyStore {
  const { authState, channelKeys } = repos;
  const identity = {};
  const pending = () => {
    const p = running.getStore()?.get(identity);
    return p && !p.done ? p : undefined;
  };

  const commit = (p: Pending) =>
    channelKeys.transaction(async (tx) => {
      if (p.cleared) {
        await authState.clear(instanceId, tx);
        await channelKeys.clear(instanceId, tx);
      }
      if (p.credentials) await authState.save(instanceId, p.credentials.value, tx);
      const changes: KeyChange[] = [];
      for (const [type, entries] of p.keys) for (const [id, value] of entries) changes.push({ type, id, value });
      await channelKeys.write(instanceId, changes, tx);
    });

  return {
    async loadCredentials<T>() {
      const p = pending();
      if (p?.credentials) return p.credentials.value as T;
      return p?.cleared ? undefined : authState.load<T>(instanceId);
    },

    async saveCredentials(value) {
      const p = pending();
      if (p) p.credentials = { value };
      else await authState.save(instanceId, value);
    },

    async get<T>(type: string, ids: string[]) {
      const p = pending();
      const buffered = p?.keys.get(type);
      const unbuffered = buffered ? ids.filter((id) => !buffered.has(id)) : ids;
      const stored = unbuffered.length > 0 && !p?.cleared ? await channelKeys.get(instanceId, type, unbuffered) : {};
      if (!buffered) return stored as Record<string, T>;
      const wanted = new Set(ids);
      const entries = Object.entries(stored);
      for (const [id, value] of buffered) if (value !== null && wanted.has(id)) entries.push([id, value]);
      return Object.fromEntries(entries) as Record<string, T>;
    },

    async set(data) {
      const p = pending();
      if (!p) {
        const changes: KeyChange[] = [];
        for (const [type, entries] of Object.entries(data)) for (const [id, value] of Object.entries(entries)) changes.push({ type, id, value });
        return channelKeys.write(instanceId, changes);
      }
      for (const [type, entries] of Object.entries(data)) {
        const buffered = p.keys.get(type) ?? new Map<string, unknown | null>();
        p.keys.set(type, buffered);
        for (const [id, value] of Object.entries(entries)) buffered.set(id, value ?? null);
      }
    },

    async transaction<T>(fn: () => Promise<T>) {
      if (pending()) return fn();
      const p: Pending = { keys: new Map(), cleared: false, done: false };
      let result: T;
      try {
        result = await running.run(new Map(running.getStore()).set(identity, p), fn);
      } finally {
        p.done = true;
      }
      if (p.cleared || p.credentials || p.keys.size > 0) await commit(p);
      return result;
    },

    async clear() {
      const p = pending();
      if (!p) {
        await channelKeys.transaction(async (tx) => {
          await authState.clear(instanceId, tx);
          await channelKeys.clear(instanceId, tx);
        });
        return;
      }
      p.cleared = true;
      delete p.credentials;
      p.keys.clear();
    },
  };
}
