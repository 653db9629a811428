import { randomBytes, randomInt } from 'node:crypto';
import { GroupError, type GroupMetadata, type GroupRole, type GroupSetting, type MemberAddMode, type ParticipantAction, type ParticipantResult } from '../operations/groups.js';
import { nowSeconds } from '../../domain/ids.js';

/** One group as WhatsApp's server keeps it. Members are numbers (sandbox instances or simulated contacts). */
export interface SandboxGroup {
  readonly id: string;
  subject: string;
  subjectOwner: string;
  subjectTime: number;
  readonly creation: number;
  readonly owner: string;
  desc?: { text: string; id: string; owner: string; time: number };
  announce: boolean;
  restrict: boolean;
  allMembersAdd: boolean;
  ephemeralDuration?: number;
  /** Number -> role, in the order they joined. */
  readonly members: Map<string, GroupRole>;
  inviteCode: string;
  picture?: { id: string; jpeg: Buffer };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const userJid = (number: string) => `${number}@s.whatsapp.net`;

function newInviteCode(): string {
  let code = '';
  for (let i = 0; i < 22; i++) code += BASE62[randomInt(62)];
  return code;
}

/** New groups get 18-digit ids starting with 120363, as WhatsApp assigns them today. */
function newGroupJid(): string {
  return `120363${String(randomInt(1e6)).padStart(6, '0')}${String(randomInt(1e6)).padStart(6, '0')}@g.us`;
}

const isAdmin = (role: GroupRole | undefined) => role === 'admin' || role === 'superadmin';

/**
 * The groups of the sandbox network: WhatsApp's server side of every group the sandbox phones are in, with its rules
 * (who may change what, invite codes, who gets a group's messages). Kept in process memory like the rest of the network.
 */
export class GroupDirectory {
  private readonly groups = new Map<string, SandboxGroup>();
  private readonly byCode = new Map<string, string>();

  create(owner: string, subject: string, participants: string[]): SandboxGroup {
    const now = nowSeconds();
    let id = newGroupJid();
    while (this.groups.has(id)) id = newGroupJid();
    const members = new Map<string, GroupRole>([[owner, 'superadmin']]);
    for (const p of participants) if (p !== owner) members.set(p, null);
    const group: SandboxGroup = { id, subject, subjectOwner: userJid(owner), subjectTime: now, creation: now, owner: userJid(owner), announce: false, restrict: false, allMembersAdd: true, members, inviteCode: newInviteCode() };
    this.groups.set(id, group);
    this.byCode.set(group.inviteCode, id);
    return group;
  }

  /** The group as `actor` may see it: members only. */
  visibleTo(groupJid: string, actor: string): SandboxGroup {
    const group = this.groups.get(groupJid);
    if (!group) throw new GroupError('item-not-found');
    if (!group.members.has(actor)) throw new GroupError('forbidden');
    return group;
  }

  of(member: string): SandboxGroup[] {
    return [...this.groups.values()].filter((g) => g.members.has(member));
  }

  /** Who gets a message posted in the group (everyone but its sender); refuses senders the group does not take. */
  recipients(groupJid: string, sender: string): string[] {
    const group = this.visibleTo(groupJid, sender);
    if (group.announce && !isAdmin(group.members.get(sender))) throw new GroupError('not-authorized');
    return [...group.members.keys()].filter((n) => n !== sender);
  }

  /** Subject, description, picture and disappearing messages: any member, or only admins once the group is locked. */
  editInfo(groupJid: string, actor: string): SandboxGroup {
    const group = this.visibleTo(groupJid, actor);
    if (group.restrict && !isAdmin(group.members.get(actor))) throw new GroupError('not-authorized');
    return group;
  }

  setSubject(group: SandboxGroup, actor: string, subject: string): void {
    group.subject = subject;
    group.subjectOwner = userJid(actor);
    group.subjectTime = nowSeconds();
  }

  setDescription(group: SandboxGroup, actor: string, text: string): void {
    group.desc = text ? { text, id: randomBytes(8).toString('hex').toUpperCase(), owner: userJid(actor), time: nowSeconds() } : undefined;
  }

  setPicture(group: SandboxGroup, jpeg: Buffer): void {
    group.picture = { id: String(nowSeconds() * 1000 + randomInt(1000)), jpeg };
  }

  /** The picture behind a group picture URL, while it is the group's current one. */
  picture(groupUser: string, id: string): Buffer | undefined {
    const p = this.groups.get(`${groupUser}@g.us`)?.picture;
    return p && p.id === id ? p.jpeg : undefined;
  }

  setEphemeral(group: SandboxGroup, expiration: number): void {
    group.ephemeralDuration = expiration > 0 ? expiration : undefined;
  }

  /** Announcement/locked and who may add members: admins only. */
  setSetting(groupJid: string, actor: string, setting: GroupSetting): SandboxGroup {
    const group = this.adminOnly(groupJid, actor);
    if (setting === 'announcement' || setting === 'not_announcement') group.announce = setting === 'announcement';
    else group.restrict = setting === 'locked';
    return group;
  }

  setMemberAddMode(groupJid: string, actor: string, mode: MemberAddMode): SandboxGroup {
    const group = this.adminOnly(groupJid, actor);
    group.allMembersAdd = mode === 'all_member_add';
    return group;
  }

  /**
   * Adds, removes, promotes or demotes; `admits` says whether a number can be added by the actor ('404' not on
   * WhatsApp, '403' its privacy refuses the actor). Admins may do all of it,
   * other members only add, and only while the group lets every member add. The creator stays: never removed or demoted.
   */
  updateParticipants(groupJid: string, actor: string, numbers: string[], action: ParticipantAction, admits: (n: string) => ParticipantResult['status']): ParticipantResult[] {
    const group = this.visibleTo(groupJid, actor);
    const actorRole = group.members.get(actor);
    if (!isAdmin(actorRole) && !(action === 'add' && group.allMembersAdd)) throw new GroupError('not-authorized');
    return numbers.map((n) => ({ jid: userJid(n), status: this.applyOne(group, n, action, admits) }));
  }

  private applyOne(group: SandboxGroup, n: string, action: ParticipantAction, admits: (n: string) => ParticipantResult['status']): ParticipantResult['status'] {
    const role = group.members.get(n);
    if (action === 'add') {
      if (role !== undefined) return '409';
      const admitted = admits(n);
      if (admitted === '200') group.members.set(n, null);
      return admitted;
    }
    if (role === undefined) return '404';
    if (role === 'superadmin') return action === 'promote' ? '200' : '403';
    if (action === 'remove') group.members.delete(n);
    else group.members.set(n, action === 'promote' ? 'admin' : null);
    return '200';
  }

  inviteCode(groupJid: string, actor: string): string {
    return this.adminOnly(groupJid, actor).inviteCode;
  }

  revokeInvite(groupJid: string, actor: string): string {
    const group = this.adminOnly(groupJid, actor);
    this.byCode.delete(group.inviteCode);
    group.inviteCode = newInviteCode();
    this.byCode.set(group.inviteCode, group.id);
    return group.inviteCode;
  }

  byInvite(code: string): SandboxGroup {
    const group = this.groups.get(this.byCode.get(code) ?? '');
    if (!group) throw new GroupError('item-not-found');
    return group;
  }

  join(code: string, number: string): SandboxGroup {
    const group = this.byInvite(code);
    if (group.members.has(number)) throw new GroupError('conflict');
    group.members.set(number, null);
    return group;
  }

  /** The member leaves; resolves with whoever became admin because the last admin left. */
  leave(groupJid: string, number: string): { group: SandboxGroup; promoted?: string } {
    const group = this.visibleTo(groupJid, number);
    group.members.delete(number);
    if (!group.members.size) this.drop(group);
    return { group, promoted: this.keepAnAdmin(group) };
  }

  metadata(group: SandboxGroup): GroupMetadata {
    return {
      id: group.id,
      addressingMode: 'pn',
      subject: group.subject,
      subjectOwner: group.subjectOwner,
      subjectTime: group.subjectTime,
      size: group.members.size,
      creation: group.creation,
      owner: group.owner,
      ...(group.desc ? { desc: group.desc.text, descId: group.desc.id, descOwner: group.desc.owner, descTime: group.desc.time } : {}),
      restrict: group.restrict,
      announce: group.announce,
      isCommunity: false,
      isCommunityAnnounce: false,
      joinApprovalMode: false,
      memberAddMode: group.allMembersAdd,
      participants: [...group.members].map(([n, admin]) => ({ id: userJid(n), admin })),
      ...(group.ephemeralDuration ? { ephemeralDuration: group.ephemeralDuration } : {}),
    };
  }

  private adminOnly(groupJid: string, actor: string): SandboxGroup {
    const group = this.visibleTo(groupJid, actor);
    if (!isAdmin(group.members.get(actor))) throw new GroupError('not-authorized');
    return group;
  }

  /** As WhatsApp does, a group whose last admin went gets its longest-standing member as admin. */
  private keepAnAdmin(group: SandboxGroup): string | undefined {
    if (!group.members.size || [...group.members.values()].some(isAdmin)) return undefined;
    const first = group.members.keys().next().value!;
    group.members.set(first, 'admin');
    return first;
  }

  private drop(group: SandboxGroup): void {
    this.groups.delete(group.id);
    this.byCode.delete(group.inviteCode);
  }
}
