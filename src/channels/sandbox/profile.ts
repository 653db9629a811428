import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { ProfileOps } from '../channel.js';
import type { ProfileView } from '../operations/profile.js';
import { ChannelError } from '../errors.js';
import { isGroupJid, jidUser } from '../../domain/jid.js';
import type { SandboxChannel } from './channel.js';
import { savePhoneState } from './phoneState.js';

/** WhatsApp keeps profile pictures as square JPEGs of at most 640 pixels. */
const PICTURE_SIZE = 640;

/** The phone's own profile and other numbers' profiles as the network shows them to this phone (privacy applied). */
export class SandboxProfile implements ProfileOps {
  constructor(private readonly phone: SandboxChannel) {}

  private get directory() {
    return this.phone.opts.network.directory;
  }

  /** A group's picture is the group's (members only); WhatsApp answers no picture rather than an error. */
  async pictureUrl(jid: string): Promise<string | null> {
    if (isGroupJid(jid)) return this.phone.groups.pictureUrl(jid).catch(() => null);
    return this.directory.pictureUrlFor(this.phone.number, jidUser(jid));
  }

  async fetch(jid: string): Promise<ProfileView> {
    const owner = jidUser(jid);
    const view = this.directory.profileSeenBy(this.phone.number, owner);
    return { ...view, name: view.name ?? this.phone.opts.network.phone(owner)?.profileName ?? null };
  }

  async setName(name: string): Promise<void> {
    this.phone.assertOpen();
    this.directory.entry(this.phone.number).name = name;
    this.phone.rename(name);
    await savePhoneState(this.phone);
  }

  async setStatus(status: string): Promise<void> {
    this.phone.assertOpen();
    this.directory.entry(this.phone.number).status = status;
    await savePhoneState(this.phone);
  }

  async setPicture(image: Buffer): Promise<void> {
    this.phone.assertOpen();
    const jpeg = await sharp(image)
      .rotate()
      .resize(PICTURE_SIZE, PICTURE_SIZE, { fit: 'cover' })
      .jpeg({ quality: 85 })
      .toBuffer()
      .catch(() => {
        throw new ChannelError('The picture is not an image WhatsApp can show');
      });
    this.directory.entry(this.phone.number).picture = { id: randomBytes(8).toString('hex'), jpeg };
    await savePhoneState(this.phone);
    this.pictureChanged();
  }

  async removePicture(): Promise<void> {
    this.phone.assertOpen();
    this.directory.entry(this.phone.number).picture = null;
    await savePhoneState(this.phone);
    this.pictureChanged();
  }

  /** Peers get `contacts.update` with the picture as they may see it; the phone reconnects with it, as upstream reloads. */
  private pictureChanged(): void {
    const { network } = this.phone.opts;
    const me = this.phone.number;
    for (const number of this.directory.peersOf(me)) {
      const peer = network.phone(number);
      if (!peer?.notify || this.directory.isBlocked(number, me)) continue;
      const contact = { remoteJid: `${me}@s.whatsapp.net`, pushName: this.phone.profileName, profilePicUrl: this.directory.pictureUrlFor(number, me) };
      peer.notify([{ type: 'contacts', action: 'update', contacts: [contact] }]).catch(() => undefined);
    }
    this.phone.reannounce();
  }
}
