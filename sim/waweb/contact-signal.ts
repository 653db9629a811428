import {
  addTransactionCapability,
  Curve,
  initAuthCreds,
  type SignalCreds,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from 'baileys';
import { makeLibSignalRepository } from 'baileys/lib/Signal/libsignal.js';
import pino from 'pino';

const silent = pino({ level: 'silent' });

/** The public half of a device's keys, as the `encrypt` IQ hands it out (raw 32-byte Curve25519 keys). */
export interface KeyBundle {
  registrationId: number;
  identity: Uint8Array;
  signedPreKey: { keyId: number; public: Uint8Array; signature: Uint8Array };
  preKey?: { keyId: number; public: Uint8Array };
}

/** An in-memory Signal key store: a map per key type. */
const memoryKeyStore = (): SignalKeyStore => {
  const data = new Map<string, Map<string, unknown>>();
  const bucket = (type: string) => {
    let b = data.get(type);
    if (!b) data.set(type, (b = new Map()));
    return b;
  };
  return {
    get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const b = bucket(type);
      const out: { [id: string]: SignalDataTypeMap[T] } = {};
      for (const id of ids) {
        const v = b.get(id);
        if (v !== undefined) out[id] = v as SignalDataTypeMap[T];
      }
      return out;
    },
    set(set: SignalDataSet) {
      for (const [type, values] of Object.entries(set)) {
        const b = bucket(type);
        for (const [id, v] of Object.entries(values ?? {})) {
          if (v === null) b.delete(id);
          else b.set(id, v);
        }
      }
    },
  };
};

/**
 * A device's own Signal state — identity, signed prekey, one-time prekeys — and the library's
 * repository over it, so a simulated device encrypts and decrypts exactly as the library does.
 */
export class SignalDevice {
  readonly creds: SignalCreds = initAuthCreds();
  private readonly store = memoryKeyStore();
  readonly keys = addTransactionCapability(this.store, silent, { maxCommitRetries: 1, delayBetweenTriesMs: 10 });
  readonly repo = makeLibSignalRepository({ creds: this.creds, keys: this.keys }, silent);
  private nextPreKeyId = 1;

  /** How many bundles (one-time prekeys) it handed out. */
  get bundlesHandedOut(): number {
    return this.nextPreKeyId - 1;
  }

  /** A bundle with a fresh one-time prekey each time, as the server hands out one per fetch. */
  async bundle(): Promise<KeyBundle> {
    const keyId = this.nextPreKeyId++;
    const pair = Curve.generateKeyPair();
    await this.keys.set({ 'pre-key': { [keyId]: pair } });
    const { signedPreKey, signedIdentityKey, registrationId } = this.creds;
    return {
      registrationId,
      identity: signedIdentityKey.public,
      signedPreKey: { keyId: signedPreKey.keyId, public: signedPreKey.keyPair.public, signature: signedPreKey.signature },
      preKey: { keyId, public: pair.public },
    };
  }
}
