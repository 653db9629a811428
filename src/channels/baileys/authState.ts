import { initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore } from 'baileys';
import type { ChannelKeyStore } from '../keyStore.js';

/** The library's auth state and how to persist a credentials change. */
export interface BaileysAuth {
  state: AuthenticationState;
  /** Saves the credentials as they are now (the library mutates `state.creds` in place, then emits creds.update). */
  saveCreds(): Promise<void>;
}

/**
 * Baileys' AuthenticationState kept in the database through the instance's key store: the credentials in one sealed
 * row, every signal key (sessions, pre-keys, sender keys, app-state keys, LID mappings, ...) as a sealed keyed entry.
 * The library batches its key writes itself (its transaction capability) and hands them over in one `set`.
 */
export async function databaseAuthState(store: ChannelKeyStore, saved?: AuthenticationCreds): Promise<BaileysAuth> {
  const creds: AuthenticationCreds = saved ?? (await store.loadCredentials<AuthenticationCreds>()) ?? initAuthCreds();
  const keys: SignalKeyStore = {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found = await store.get<SignalDataTypeMap[T]>(type, ids);
      // App-state keys are protobuf objects: the library calls their methods.
      if (type === 'app-state-sync-key') {
        for (const id of Object.keys(found)) found[id] = proto.Message.AppStateSyncKeyData.fromObject(found[id] as object) as unknown as SignalDataTypeMap[T];
      }
      return found;
    },
    async set(data: SignalDataSet) {
      await store.set(data as Record<string, Record<string, unknown | null>>);
    },
    async clear() {
      await store.clear();
    },
  };
  return { state: { creds, keys }, saveCreds: () => store.saveCredentials(creds) };
}
