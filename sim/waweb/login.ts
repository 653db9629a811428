import { randomBytes } from 'node:crypto';
import { proto, S_WHATSAPP_NET } from 'baileys';
import type { Connection } from './connection.js';
import { dropConnection } from './drills.js';
import type { Simulator } from './simulator.js';
import type { SimConnection } from './types.js';

/** What a companion sent in its registration payload, kept until a phone scans its QR. */
export interface PendingRegistration {
  conn: Connection;
  refs: string[];
  identityKey: Buffer;
  registrationId: number;
  platform: string;
}

const REFS_PER_QR = 6;

/** Companions waiting to be paired, by QR ref. */
export class PairingSessions {
  private readonly byRef = new Map<string, PendingRegistration>();

  add(pending: PendingRegistration): void {
    for (const ref of pending.refs) this.byRef.set(ref, pending);
  }

  /** The registration a QR ref belongs to, removed with all its refs. */
  take(ref: string): PendingRegistration | undefined {
    const pending = this.byRef.get(ref);
    if (pending) for (const r of pending.refs) this.byRef.delete(r);
    return pending;
  }

  /** The registration of one connection, removed with all its refs. */
  takeConn(conn: SimConnection): PendingRegistration | undefined {
    const pending = [...this.byRef.values()].find((p) => p.conn === conn);
    return pending ? this.take(pending.refs[0]!) : undefined;
  }

  forget(conn: Connection): void {
    for (const [ref, p] of this.byRef) if (p.conn === conn) this.byRef.delete(ref);
  }
}

const platformOf = (deviceProps: Uint8Array | null | undefined): string => {
  if (!deviceProps?.length) return 'unknown';
  const props = proto.DeviceProps.decode(deviceProps);
  return proto.DeviceProps.PlatformType[props.platformType ?? 0] ?? 'unknown';
};

/** After the handshake: a registering companion gets `pair-device`, a known one `<success>`. */
export const handlePayload = async (sim: Simulator, conn: Connection, payload: proto.ClientPayload): Promise<void> => {
  const pairing = payload.devicePairingData;
  if (pairing) {
    const pending: PendingRegistration = {
      conn,
      refs: Array.from({ length: REFS_PER_QR }, () => randomBytes(18).toString('base64')),
      identityKey: Buffer.from(pairing.eIdent ?? []),
      registrationId: Buffer.from(pairing.eRegid ?? []).readUInt32BE(0),
      platform: platformOf(pairing.deviceProps),
    };
    sim.pairing.add(pending);
    // Not awaited: the client's result comes in a later frame of this same (serial) stream.
    void conn.query({
      tag: 'iq',
      attrs: { from: S_WHATSAPP_NET, type: 'set', xmlns: 'md' },
      content: [{ tag: 'pair-device', attrs: {}, content: pending.refs.map((ref) => ({ tag: 'ref', attrs: {}, content: Buffer.from(ref) })) }],
    }).catch((error: Error) => {
      // A companion that went away before answering is not a server fault.
      if (!conn.closed) sim.errors.push(error);
    });
    return;
  }
  const jid = `${payload.username}${payload.device ? `:${payload.device}` : ''}@s.whatsapp.net`;
  const device = payload.username ? sim.registry.device(jid) : undefined;
  if (!device?.noiseKey || !conn.clientNoiseKey || !device.noiseKey.equals(conn.clientNoiseKey)) {
    // Unknown or removed companion: the library reads `reason` as its status code (401 = logged out).
    await conn.send({ tag: 'failure', attrs: { reason: '401', location: 'sim' } });
    conn.close();
    return;
  }
  // One connection per device: as on the real server, a new login replaces the older one (440).
  for (const old of sim.connectionsOf(device.jid)) {
    if (old !== conn) await dropConnection(old, 440);
  }
  conn.jid = device.jid;
  await conn.send({
    tag: 'success',
    attrs: { t: String(Math.floor(Date.now() / 1000)), lid: device.lid, location: 'sim' },
  });
  // What was queued while it was offline (login hooks), then the end of that queue, which lets the library flush its buffered events.
  const offline = await sim.loggedIn(conn);
  await conn.send({ tag: 'ib', attrs: { from: S_WHATSAPP_NET }, content: [{ tag: 'offline', attrs: { count: String(offline) } }] });
};
