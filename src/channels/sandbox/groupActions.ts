import type { GroupMetadata, GroupSetting, MemberAddMode, ParticipantAction, ParticipantResult } from '../operations/groups.js';
import type { InboundMessage } from '../events.js';
import { jidUser, sandboxNumberExists } from '../../domain/jid.js';
import type { SandboxGroup } from './groupDirectory.js';
import { GroupNotices } from './groupNotices.js';
import type { SandboxNetwork } from './network.js';
import { ChannelError } from '../errors.js';
import sharp from 'sharp';

const userJid = (number: string) => `${number}@s.whatsapp.net`;

/** WhatsApp keeps group pictures as 640x640 JPEGs (Baileys crops and converts before uploading). */
async function asGroupPicture(data: Buffer): Promise<Buffer> {
  try {
    return await sharp(data).resize(640, 640, { fit: 'cover' }).jpeg({ quality: 80 }).toBuffer();
  } catch {
    throw new ChannelError('The image could not be read');
  }
}

/**
 * What a member (`actor`: a sandbox phone's number or a simulated contact's) asks the group server to do. The
 * directory applies WhatsApp's rules; every change is then told to each member's phone.
 */
export class GroupActions {
  private readonly notices: GroupNotices;

  constructor(private readonly network: SandboxNetwork) {
    this.notices = new GroupNotices(network);
  }

  private get directory() {
    return this.network.groups;
  }

  /** Where members download the picture: the network's picture server (`/sandbox/groupPicture`), as WhatsApp's CDN. */
  pictureUrlOf(group: SandboxGroup): string | null {
    return group.picture ? `${this.network.directory.pictureBase()}/sandbox/groupPicture/${jidUser(group.id)}/${group.picture.id}.jpg` : null;
  }

  /** Whether `actor` may add `n`: on WhatsApp ('404' otherwise) and allowed by its "who can add me" setting ('403'). */
  private admits(actor: string): (n: string) => ParticipantResult['status'] {
    const phones = this.network.directory;
    return (n) => (!sandboxNumberExists(n) ? '404' : phones.shows(n, actor, phones.entry(n).privacy.groupadd) ? '200' : '403');
  }

  /** Participants whose privacy refuses the creator are left out, as WhatsApp does. */
  async create(actor: string, subject: string, participants: string[]): Promise<GroupMetadata> {
    const admits = this.admits(actor);
    const group = this.directory.create(actor, subject, participants.map(jidUser).filter((n) => admits(n) === '200'));
    await this.notices.arrived(group, actor, [...group.members.keys()]);
    return this.directory.metadata(group);
  }

  metadata(actor: string, groupJid: string): GroupMetadata {
    return this.directory.metadata(this.directory.visibleTo(groupJid, actor));
  }

  list(actor: string): GroupMetadata[] {
    return this.directory.of(actor).map((g) => this.directory.metadata(g));
  }

  pictureUrl(actor: string, groupJid: string): string | null {
    return this.pictureUrlOf(this.directory.visibleTo(groupJid, actor));
  }

  async updateSubject(actor: string, groupJid: string, subject: string): Promise<void> {
    const group = this.directory.editInfo(groupJid, actor);
    this.directory.setSubject(group, actor, subject);
    await this.notices.updated(group, actor, { subject });
  }

  async updateDescription(actor: string, groupJid: string, description: string): Promise<void> {
    const group = this.directory.editInfo(groupJid, actor);
    this.directory.setDescription(group, actor, description);
    await this.notices.updated(group, actor, { desc: group.desc?.text, descId: group.desc?.id });
  }

  async updatePicture(actor: string, groupJid: string, image: { data: Buffer; mimetype: string }): Promise<void> {
    const group = this.directory.editInfo(groupJid, actor);
    this.directory.setPicture(group, await asGroupPicture(image.data));
    await this.notices.updated(group, actor, { pictureUrl: this.pictureUrlOf(group) });
  }

  async updateParticipants(actor: string, groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]> {
    const results = this.directory.updateParticipants(groupJid, actor, participants.map(jidUser), action, this.admits(actor));
    const done = results.filter((r) => r.status === '200').map((r) => r.jid);
    const group = this.directory.visibleTo(groupJid, actor);
    await this.notices.participants(group, actor, action, done, action === 'remove' ? done.map(jidUser) : []);
    if (action === 'add') await this.notices.arrived(group, actor, done.map(jidUser));
    return results;
  }

  async updateSetting(actor: string, groupJid: string, setting: GroupSetting): Promise<void> {
    const group = this.directory.setSetting(groupJid, actor, setting);
    await this.notices.updated(group, actor, setting.endsWith('announcement') ? { announce: group.announce } : { restrict: group.restrict });
  }

  async toggleEphemeral(actor: string, groupJid: string, expiration: number): Promise<void> {
    const group = this.directory.editInfo(groupJid, actor);
    this.directory.setEphemeral(group, expiration);
    await this.notices.updated(group, actor, { ephemeralDuration: expiration });
  }

  async memberAddMode(actor: string, groupJid: string, mode: MemberAddMode): Promise<void> {
    const group = this.directory.setMemberAddMode(groupJid, actor, mode);
    await this.notices.updated(group, actor, { memberAddMode: group.allMembersAdd });
  }

  inviteCode(actor: string, groupJid: string): string {
    return this.directory.inviteCode(groupJid, actor);
  }

  revokeInvite(actor: string, groupJid: string): string {
    return this.directory.revokeInvite(groupJid, actor);
  }

  inviteInfo(code: string): GroupMetadata {
    return this.directory.metadata(this.directory.byInvite(code));
  }

  async acceptInvite(actor: string, code: string): Promise<string> {
    const group = this.directory.join(code, actor);
    await this.notices.participants(group, actor, 'add', [userJid(actor)]);
    await this.notices.arrived(group, actor, [actor]);
    return group.id;
  }

  async leave(actor: string, groupJid: string): Promise<void> {
    const { group, promoted } = this.directory.leave(groupJid, actor);
    await this.notices.participants(group, actor, 'remove', [userJid(actor)], [actor]);
    if (promoted) await this.notices.participants(group, actor, 'promote', [userJid(promoted)]);
  }

  /** A simulated contact posts in the group: every member's phone gets it (resolves once their gateways took it). */
  async post(actor: string, message: InboundMessage): Promise<void> {
    const recipients = this.directory.recipients(message.key.remoteJid, actor);
    await this.notices.message(recipients, message);
  }
}
