import type { GroupOps } from '../channel.js';
import type { GroupMetadata, GroupSetting, MemberAddMode, ParticipantAction, ParticipantResult } from '../operations/groups.js';
import type { SandboxChannel } from './channel.js';
import { GroupActions } from './groupActions.js';

/** What one sandbox phone does with groups: it asks the network's group server as itself (once connected). */
export class SandboxGroups implements GroupOps {
  private actions?: GroupActions;

  constructor(private readonly phone: SandboxChannel) {}

  private get server(): GroupActions {
    return (this.actions ??= new GroupActions(this.phone.opts.network));
  }

  private me(): string {
    this.phone.assertOpen();
    return this.phone.number;
  }

  async create(subject: string, participants: string[]): Promise<GroupMetadata> {
    return this.server.create(this.me(), subject, participants);
  }

  async metadata(groupJid: string): Promise<GroupMetadata> {
    return this.server.metadata(this.me(), groupJid);
  }

  async list(): Promise<GroupMetadata[]> {
    return this.server.list(this.me());
  }

  async pictureUrl(groupJid: string): Promise<string | null> {
    return this.server.pictureUrl(this.me(), groupJid);
  }

  async updateSubject(groupJid: string, subject: string): Promise<void> {
    return this.server.updateSubject(this.me(), groupJid, subject);
  }

  async updateDescription(groupJid: string, description: string): Promise<void> {
    return this.server.updateDescription(this.me(), groupJid, description);
  }

  async updatePicture(groupJid: string, image: { data: Buffer; mimetype: string }): Promise<void> {
    return this.server.updatePicture(this.me(), groupJid, image);
  }

  async updateParticipants(groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]> {
    return this.server.updateParticipants(this.me(), groupJid, participants, action);
  }

  async updateSetting(groupJid: string, setting: GroupSetting): Promise<void> {
    return this.server.updateSetting(this.me(), groupJid, setting);
  }

  async toggleEphemeral(groupJid: string, expiration: number): Promise<void> {
    return this.server.toggleEphemeral(this.me(), groupJid, expiration);
  }

  async memberAddMode(groupJid: string, mode: MemberAddMode): Promise<void> {
    return this.server.memberAddMode(this.me(), groupJid, mode);
  }

  async inviteCode(groupJid: string): Promise<string> {
    return this.server.inviteCode(this.me(), groupJid);
  }

  async revokeInvite(groupJid: string): Promise<string> {
    return this.server.revokeInvite(this.me(), groupJid);
  }

  async inviteInfo(code: string): Promise<GroupMetadata> {
    this.me();
    return this.server.inviteInfo(code);
  }

  async acceptInvite(code: string): Promise<string> {
    return this.server.acceptInvite(this.me(), code);
  }

  async leave(groupJid: string): Promise<void> {
    return this.server.leave(this.me(), groupJid);
  }
}
