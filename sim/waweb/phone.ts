import { Curve, getBinaryNodeChild, hmacSign, proto, S_WHATSAPP_NET, WA_ADV_ACCOUNT_SIG_PREFIX, WA_ADV_DEVICE_SIG_PREFIX } from 'baileys';
import { sendStreamError } from './drills.js';
import type { PendingRegistration } from './login.js';
import { enterPairingCode } from './pairing-code.js';
import { verifyStrict } from './verify.js';
import type { Device, User } from './registry.js';
import type { BinaryNode } from './types.js';
import type { Simulator } from './simulator.js';

/** The fields of a WhatsApp Web QR: `ref,noiseKey,identityKey,advSecret,platform`. */
export interface QrData {
  ref: string;
  noiseKey: Buffer;
  identityKey: Buffer;
  advSecret: Buffer;
  platformId: string;
}

export const parseQr = (qr: string): QrData => {
  const body = qr.includes('#') ? qr.slice(qr.indexOf('#') + 1) : qr;
  const [ref, noise, identity, adv, platformId] = body.split(',');
  if (!ref || !noise || !identity || !adv) throw new Error(`not a pairing QR: ${qr}`);
  return {
    ref,
    noiseKey: Buffer.from(noise, 'base64'),
    identityKey: Buffer.from(identity, 'base64'),
    advSecret: Buffer.from(adv, 'base64'),
    platformId: platformId ?? '',
  };
};

/** A user's primary device: links and unlinks companions. */
export class Phone {
  constructor(
    private readonly sim: Simulator,
    readonly user: User,
  ) {}

  get jid(): string {
    return `${this.user.phone}@s.whatsapp.net`;
  }

  /**
   * Scans a companion's QR: sends `pair-success` with an ADV identity this phone signed,
   * checks the companion's counter-signature, then restarts its stream (515).
   * Resolves with the new companion device.
   */
  async scan(qr: string): Promise<Device> {
    const data = parseQr(qr);
    const pending = this.sim.pairing.take(data.ref);
    if (!pending || pending.conn.closed) throw new Error(`no companion is showing QR ref ${data.ref}`);
    if (!pending.conn.clientNoiseKey?.equals(data.noiseKey) || !pending.identityKey.equals(data.identityKey)) {
      throw new Error('QR keys do not match the registering companion');
    }
    return this.pair(pending, data.advSecret);
  }

  /**
   * Enters a pairing code the companion showed (`requestPairingCode`); see pairing-code.ts.
   * Resolves with the new companion device once it is paired and told to restart.
   */
  enterCode(code: string): Promise<Device> {
    return enterPairingCode(this.sim, this, code);
  }

  /** Links the registering companion with `advSecret`, then restarts its stream (515). */
  async pair(pending: PendingRegistration, advSecret: Buffer): Promise<Device> {
    const noiseKey = pending.conn.clientNoiseKey!;
    const device = this.sim.registry.addCompanion(this.user, {
      noiseKey,
      identityKey: pending.identityKey,
      platform: pending.platform,
      keyIndex: this.user.nextKeyIndex++,
    });
    try {
      const reply = await pending.conn.query({
        tag: 'iq',
        attrs: { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md', t: String(Math.floor(Date.now() / 1000)) },
        content: [
          {
            tag: 'pair-success',
            attrs: {},
            content: [
              { tag: 'device-identity', attrs: {}, content: this.signedIdentity(device, pending.identityKey, advSecret) },
              { tag: 'platform', attrs: { name: 'smba' } },
              { tag: 'device', attrs: { jid: device.jid, lid: device.lid } },
            ],
          },
        ],
      });
      this.verifyCounterSignature(reply, pending.identityKey);
    } catch (error) {
      this.user.devices.delete(device.id);
      throw error;
    }
    await sendStreamError(pending.conn, { tag: 'stream:error', attrs: { code: '515' } });
    return device;
  }

  /** `ADVSignedDeviceIdentityHMAC` for the companion, as `configureSuccessfulPairing` checks it. */
  private signedIdentity(device: Device, companionIdentity: Buffer, advSecret: Buffer): Uint8Array {
    const details = proto.ADVDeviceIdentity.encode({
      rawId: Math.floor(Math.random() * 2 ** 31),
      timestamp: Math.floor(Date.now() / 1000),
      keyIndex: device.keyIndex ?? 1,
    }).finish();
    const accountSignature = Curve.sign(
      this.user.accountKey.private,
      Buffer.concat([WA_ADV_ACCOUNT_SIG_PREFIX, details, companionIdentity]),
    );
    const signed = proto.ADVSignedDeviceIdentity.encode({
      details,
      accountSignatureKey: this.user.accountKey.public,
      accountSignature,
    }).finish();
    return proto.ADVSignedDeviceIdentityHMAC.encode({ details: signed, hmac: hmacSign(signed, advSecret) }).finish();
  }

  /** The companion proves it holds its identity key by signing the ADV details back. */
  private verifyCounterSignature(reply: BinaryNode, companionIdentity: Buffer): void {
    const node = getBinaryNodeChild(getBinaryNodeChild(reply, 'pair-device-sign'), 'device-identity');
    if (reply.attrs.type !== 'result' || !(node?.content instanceof Uint8Array)) {
      throw new Error('companion did not sign its device identity');
    }
    const { details, deviceSignature } = proto.ADVSignedDeviceIdentity.decode(node.content);
    if (!details || !deviceSignature) throw new Error('companion device identity is incomplete');
    const message = Buffer.concat([WA_ADV_DEVICE_SIG_PREFIX, details, companionIdentity, this.user.accountKey.public]);
    if (!verifyStrict(companionIdentity, message, deviceSignature)) {
      throw new Error('companion device signature is invalid');
    }
  }

  /** Unlinks a companion from this phone: it is removed and its open connections get a 401. */
  async removeCompanion(jid: string): Promise<void> {
    const device = this.sim.registry.removeDevice(jid);
    if (!device) throw new Error(`${jid} is not linked`);
    await Promise.all(
      this.sim
        .connectionsOf(device.jid)
        .map((c) =>
          sendStreamError(c, {
            tag: 'stream:error',
            attrs: { code: '401' },
            content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }],
          }),
        ),
    );
  }

  /** Companion devices currently linked. */
  companions(): Device[] {
    return [...this.user.devices.values()].filter((d) => d.id !== 0);
  }
}
