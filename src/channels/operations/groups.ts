import { ChannelError } from '../errors.js';

export type GroupRole = 'superadmin' | 'admin' | null;

export interface GroupParticipant {
  id: string;
  admin: GroupRole;
}

/** A group as WhatsApp describes it (Baileys' GroupMetadata); times are seconds since the epoch. */
export interface GroupMetadata {
  id: string;
  addressingMode: 'pn' | 'lid';
  subject: string;
  subjectOwner?: string;
  subjectTime?: number;
  size: number;
  creation?: number;
  owner?: string;
  desc?: string;
  descId?: string;
  descOwner?: string;
  descTime?: number;
  linkedParent?: string;
  restrict: boolean;
  announce: boolean;
  isCommunity: boolean;
  isCommunityAnnounce: boolean;
  joinApprovalMode: boolean;
  /** true: every member may add participants (`all_member_add`); false: only admins (`admin_add`). */
  memberAddMode: boolean;
  participants: GroupParticipant[];
  ephemeralDuration?: number;
}

export type ParticipantAction = 'add' | 'remove' | 'promote' | 'demote';
/** Per participant, as WhatsApp answers: '200' done, '403' not allowed, '404' not on WhatsApp / not in the group, '409' already in it. */
export interface ParticipantResult {
  status: '200' | '403' | '404' | '409';
  jid: string;
}
export type GroupSetting = 'announcement' | 'not_announcement' | 'locked' | 'unlocked';
export type MemberAddMode = 'all_member_add' | 'admin_add';
export const EPHEMERAL_DURATIONS = [0, 86400, 604800, 7776000] as const;

/**
 * WhatsApp's server refused a group request. `reason` is the server's error text (`not-authorized`,
 * `item-not-found`, `forbidden`, `conflict`), which upstream passes on as `Error: <reason>`.
 */
export class GroupError extends ChannelError {
  constructor(readonly reason: 'not-authorized' | 'item-not-found' | 'forbidden' | 'conflict') {
    super(reason);
  }
}

/** Groups: create, metadata, participants, settings, invites. Group ids are full JIDs (`...@g.us`). */
export interface GroupOps {
  /** Creates a group with this instance as superadmin; `participants` are JIDs already known to be on WhatsApp. */
  create(subject: string, participants: string[]): Promise<GroupMetadata>;
  metadata(groupJid: string): Promise<GroupMetadata>;
  /** Every group the instance is a member of. */
  list(): Promise<GroupMetadata[]>;
  pictureUrl(groupJid: string): Promise<string | null>;
  updateSubject(groupJid: string, subject: string): Promise<void>;
  updateDescription(groupJid: string, description: string): Promise<void>;
  updatePicture(groupJid: string, image: { data: Buffer; mimetype: string }): Promise<void>;
  updateParticipants(groupJid: string, participants: string[], action: ParticipantAction): Promise<ParticipantResult[]>;
  updateSetting(groupJid: string, setting: GroupSetting): Promise<void>;
  toggleEphemeral(groupJid: string, expiration: number): Promise<void>;
  memberAddMode(groupJid: string, mode: MemberAddMode): Promise<void>;
  inviteCode(groupJid: string): Promise<string>;
  /** Invalidates the current code; resolves with the new one. */
  revokeInvite(groupJid: string): Promise<string>;
  inviteInfo(code: string): Promise<GroupMetadata>;
  /** Joins by invite code; resolves with the group's JID. */
  acceptInvite(code: string): Promise<string>;
  leave(groupJid: string): Promise<void>;
}
