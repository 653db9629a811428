import { Curve, type KeyPair } from 'baileys';

/** A signed prekey as the client uploads it (`<skey>`). */
export interface SignedPreKey {
  id: number;
  value: Buffer;
  signature: Buffer;
}

/** The key bundle a device uploaded (`encrypt` set): what a sender fetches to start a session. */
export interface PreKeyStore {
  registrationId: number;
  /** `type` child, normally 5 (DJB). */
  keyType: Buffer;
  identity: Buffer;
  signedPreKey: SignedPreKey;
  /** One-time prekeys by id; a bundle fetch should take (delete) one. */
  preKeys: Map<number, Buffer>;
}

export interface Device {
  id: number;
  /** `<phone>:<id>@s.whatsapp.net` (`<phone>@s.whatsapp.net` for device 0). */
  jid: string;
  lid: string;
  /** Noise static key the companion logs in with. */
  noiseKey?: Buffer;
  /** Signal identity public key (32 bytes, no type prefix). */
  identityKey?: Buffer;
  keys?: PreKeyStore;
  platform?: string;
  /** ADV key index the phone gave it at pairing. */
  keyIndex?: number;
}

export interface User {
  phone: string;
  /** `<digits>@lid` */
  lid: string;
  pushName: string;
  /** The phone's account identity, which signs companion ADV identities. */
  accountKey: KeyPair;
  devices: Map<number, Device>;
  nextKeyIndex: number;
}

const deviceJid = (user: string, server: string, device: number): string =>
  device === 0 ? `${user}@${server}` : `${user}:${device}@${server}`;

/** The users the simulated server knows, by phone number and by LID. */
export class Registry {
  private readonly byPhone = new Map<string, User>();
  private readonly byLid = new Map<string, User>();
  private lidCounter = 100_000_000_000_000 + Math.floor(Math.random() * 1_000_000);

  /** The user with that phone number (digits only), created with device 0 on first use. */
  user(phone: string, pushName = `User ${phone}`): User {
    const digits = phone.replace(/\D/g, '');
    const known = this.byPhone.get(digits);
    if (known) return known;
    const lidUser = String(this.lidCounter++);
    const user: User = {
      phone: digits,
      lid: `${lidUser}@lid`,
      pushName,
      accountKey: Curve.generateKeyPair(),
      devices: new Map(),
      nextKeyIndex: 1,
    };
    user.devices.set(0, { id: 0, jid: deviceJid(digits, 's.whatsapp.net', 0), lid: user.lid });
    this.byPhone.set(digits, user);
    this.byLid.set(lidUser, user);
    return user;
  }

  /** Looks a user up by any of its JIDs (phone or LID, with or without device). */
  find(jid: string): User | undefined {
    const [userPart = '', server] = jid.split('@');
    const user = userPart.split(':')[0]!;
    return server === 'lid' ? this.byLid.get(user) : this.byPhone.get(user);
  }

  /** The device a JID names (device 0 when the JID has none). */
  device(jid: string): Device | undefined {
    const user = this.find(jid);
    const device = Number(jid.split('@')[0]!.split(':')[1] ?? 0);
    return user?.devices.get(device);
  }

  /** Adds a companion device to `user`, with the next free device id. */
  addCompanion(user: User, init: Omit<Device, 'id' | 'jid' | 'lid'>): Device {
    let id = 1;
    while (user.devices.has(id)) id++;
    const lidUser = user.lid.split('@')[0]!;
    const device: Device = {
      ...init,
      id,
      jid: deviceJid(user.phone, 's.whatsapp.net', id),
      lid: deviceJid(lidUser, 'lid', id),
    };
    user.devices.set(id, device);
    return device;
  }

  removeDevice(jid: string): Device | undefined {
    const device = this.device(jid);
    if (device && device.id !== 0) this.find(jid)!.devices.delete(device.id);
    return device;
  }

  users(): User[] {
    return [...this.byPhone.values()];
  }
}
