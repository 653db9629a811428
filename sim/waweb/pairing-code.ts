import { randomBytes } from 'node:crypto';
import {
  aesDecryptCTR,
  aesDecryptGCM,
  aesEncryptCTR,
  Curve,
  derivePairingCodeKey,
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  hkdf,
  S_WHATSAPP_NET,
  type KeyPair,
} from 'baileys';
import { result } from './iq/router.js';
import type { Phone } from './phone.js';
import type { Device } from './registry.js';
import type { Simulator } from './simulator.js';
import type { SimConnection } from './types.js';

/** A companion that asked for a pairing code (`link_code_companion_reg`, stage companion_hello). */
interface CodeSession {
  conn: SimConnection;
  phone: string;
  ref: Buffer;
  /** salt(32) ‖ iv(16) ‖ AES-CTR(companion ephemeral public), keyed by PBKDF2(code, salt). */
  wrappedCompanionEphemeral: Buffer;
  /** Set once the phone entered the code. */
  entered?: { phone: Phone; ephemeral: KeyPair; companionEphemeral: Buffer; done: (d: Promise<Device>) => void };
}

const phoneOf = (jid: string | undefined): string => (jid ?? '').split('@')[0]!.split(':')[0]!;

/** Pairing-code sessions by companion connection. */
export class CodePairings {
  readonly sessions = new Map<SimConnection, CodeSession>();

  forPhone(phone: string): CodeSession | undefined {
    return [...this.sessions.values()].find((s) => s.phone === phone && !s.conn.closed);
  }
}

/**
 * The server side of the library's `requestPairingCode`: the hello is stored, the phone
 * answers once `enterCode` is called, and the companion's finish yields the ADV secret both
 * sides derive, with which the phone sends the usual pair-success.
 */
export const registerPairingCode = (sim: Simulator): void => {
  sim.router.handle({ xmlns: 'md', type: 'set', child: 'link_code_companion_reg' }, (iq, { conn }) => {
    const reg = getBinaryNodeChild(iq, 'link_code_companion_reg')!;
    if (reg.attrs.stage === 'companion_hello') {
      const wrapped = getBinaryNodeChildBuffer(reg, 'link_code_pairing_wrapped_companion_ephemeral_pub');
      if (!wrapped) return undefined;
      const ref = randomBytes(32);
      sim.codePairing.sessions.set(conn, {
        conn,
        phone: phoneOf(reg.attrs.jid),
        ref,
        wrappedCompanionEphemeral: Buffer.from(wrapped),
      });
      return result({ tag: 'link_code_companion_reg', attrs: {}, content: [{ tag: 'link_code_pairing_ref', attrs: {}, content: ref }] });
    }
    if (reg.attrs.stage === 'companion_finish') {
      const session = sim.codePairing.sessions.get(conn);
      const bundle = getBinaryNodeChildBuffer(reg, 'link_code_pairing_wrapped_key_bundle');
      const companionIdentity = getBinaryNodeChildBuffer(reg, 'companion_identity_public');
      if (!session?.entered || !bundle || !companionIdentity) return undefined;
      sim.codePairing.sessions.delete(session.conn);
      const { phone, ephemeral, companionEphemeral, done } = session.entered;
      let advSecret: Buffer;
      try {
        advSecret = deriveAdvSecret(phone, ephemeral, companionEphemeral, Buffer.from(bundle), Buffer.from(companionIdentity));
      } catch (error) {
        // A wrong code: the two sides derived different keys, so the bundle does not open.
        done(Promise.reject(error as Error));
        return { tag: 'iq', attrs: { type: 'error' }, content: [{ tag: 'error', attrs: { code: '400', text: 'bad-request' } }] };
      }
      const pending = sim.pairing.takeConn(session.conn);
      // Paired after this reply is out: pair-success waits for a frame this handler's stream delivers.
      if (pending) setImmediate(() => done(phone.pair(pending, advSecret)));
      else done(Promise.reject(new Error('the companion has no pending registration')));
      return result();
    }
    return undefined;
  });
};

/** Unwraps the companion's key bundle and derives the ADV secret as the companion does. */
const deriveAdvSecret = (phone: Phone, ephemeral: KeyPair, companionEphemeral: Buffer, bundle: Buffer, companionIdentity: Buffer): Buffer => {
  const companionShared = Curve.sharedKey(ephemeral.private, companionEphemeral);
  const key = hkdf(companionShared, 32, { salt: bundle.subarray(0, 32), info: 'link_code_pairing_key_bundle_encryption_key' });
  const plain = aesDecryptGCM(bundle.subarray(44), key, bundle.subarray(32, 44), Buffer.alloc(0));
  if (!plain.subarray(0, 32).equals(companionIdentity) || !plain.subarray(32, 64).equals(phone.user.accountKey.public)) {
    throw new Error('pairing key bundle does not name this companion and phone');
  }
  const identityShared = Curve.sharedKey(phone.user.accountKey.private, companionIdentity);
  const random = plain.subarray(64, 96);
  return Buffer.from(hkdf(Buffer.concat([companionShared, identityShared, random]), 32, { info: 'adv_secret' }));
};

/** The phone side: unwrap the companion's ephemeral key with the code, answer with its own. */
export const enterPairingCode = async (sim: Simulator, phone: Phone, code: string): Promise<Device> => {
  // The library sends its hello without waiting for an answer, so it may still be on its way.
  let session = sim.codePairing.forPhone(phone.user.phone);
  for (let i = 0; !session && i < 50; i++) {
    await new Promise((r) => setTimeout(r, 20));
    session = sim.codePairing.forPhone(phone.user.phone);
  }
  if (!session) throw new Error(`no companion asked for a pairing code for ${phone.user.phone}`);
  const wrapped = session.wrappedCompanionEphemeral;
  const companionEphemeral = aesDecryptCTR(wrapped.subarray(48, 80), await derivePairingCodeKey(code, wrapped.subarray(0, 32)), wrapped.subarray(32, 48));
  const ephemeral = Curve.generateKeyPair();
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const wrappedOwn = Buffer.concat([salt, iv, aesEncryptCTR(ephemeral.public, await derivePairingCodeKey(code, salt), iv)]);
  const paired = new Promise<Device>((resolve, reject) => {
    session.entered = { phone, ephemeral, companionEphemeral, done: (device) => device.then(resolve, reject) };
  });
  await session.conn.send({
    tag: 'notification',
    attrs: { from: S_WHATSAPP_NET, type: 'link_code_companion_reg', id: session.conn.nextTag(), t: String(Math.floor(Date.now() / 1000)) },
    content: [
      {
        tag: 'link_code_companion_reg',
        attrs: { stage: 'primary_hello' },
        content: [
          { tag: 'link_code_pairing_ref', attrs: {}, content: session.ref },
          { tag: 'primary_identity_pub', attrs: {}, content: phone.user.accountKey.public },
          { tag: 'link_code_pairing_wrapped_primary_ephemeral_pub', attrs: {}, content: wrappedOwn },
        ],
      },
    ],
  });
  return withTimeout(paired, 15_000, 'the companion never finished code pairing');
};

const withTimeout = <T>(p: Promise<T>, ms: number, message: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e)),
    );
  });

