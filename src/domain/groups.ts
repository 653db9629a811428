import type { GroupMetadata, GroupSetting, MemberAddMode, ParticipantAction } from '../channels/operations/groups.js';
import { GroupError } from '../channels/operations/groups.js';
import type { MediaLoader } from '../media/types.js';
import type { Repositories } from '../storage/repositories.js';
import type { InstanceService } from './instances.js';
import type { MessageService } from './messages.js';
import type { LiveInstance } from './registry.js';
import { ApiError, badRequest } from './errors.js';
import { operations } from './capabilities.js';
import { toJid } from './jid.js';

export interface GroupServiceDeps {
  instances: InstanceService;
  repos: Repositories;
  messages: MessageService;
  media: MediaLoader;
}

/** Upstream's answer when WhatsApp refuses a group request: its status, its words, then `Error: <server reason>`. */
interface Refusal {
  status: number;
  message: string;
}
const refusals = {
  create: { status: 500, message: 'Error creating group' },
  picture: { status: 500, message: 'Error update group picture' },
  subject: { status: 500, message: 'Error updating group subject' },
  description: { status: 500, message: 'Error updating group description' },
  find: { status: 404, message: 'Error fetching group' },
  participants: { status: 404, message: 'No participants' },
  inviteCode: { status: 404, message: 'No invite code' },
  accept: { status: 404, message: 'Accept invite error' },
  revoke: { status: 404, message: 'Revoke error' },
  update: { status: 400, message: 'Error updating participants' },
  setting: { status: 400, message: 'Error updating setting' },
  addMode: { status: 400, message: 'Error updating member add mode' },
  leave: { status: 400, message: 'Unable to leave the group' },
} satisfies Record<string, Refusal>;

/** The fields of findGroupInfos and fetchAllGroups, in upstream's order (`participants` only where asked for). */
function groupInfo(g: GroupMetadata, pictureUrl: string | null, withParticipants: boolean) {
  return {
    id: g.id, subject: g.subject, subjectOwner: g.subjectOwner, subjectTime: g.subjectTime, pictureUrl, size: g.participants.length,
    creation: g.creation, owner: g.owner, desc: g.desc, descId: g.descId, restrict: g.restrict, announce: g.announce,
    ...(withParticipants ? { participants: g.participants } : {}),
    isCommunity: g.isCommunity, isCommunityAnnounce: g.isCommunityAnnounce, linkedParent: g.linkedParent,
  };
}

/** The /group routes over the channel's `groups` family, with upstream's answers and refusals. */
export class GroupService {
  constructor(private readonly deps: GroupServiceDeps) {}

  async create(live: LiveInstance, input: { subject: string; participants: string[]; description?: string; promoteParticipants?: boolean }): Promise<GroupMetadata> {
    const ops = operations(live, 'groups');
    const checks = await this.call(() => operations(live, 'numbers').checkNumbers(input.participants));
    const participants = checks.filter((c) => c.exists).map((c) => c.jid);
    return this.refused(refusals.create, async () => {
      const group = await ops.create(input.subject, participants);
      if (input.description) await ops.updateDescription(group.id, input.description);
      if (input.promoteParticipants && participants.length) await ops.updateParticipants(group.id, participants, 'promote');
      return ops.metadata(group.id);
    });
  }

  async updateSubject(live: LiveInstance, groupJid: string, subject: string) {
    await this.refused(refusals.subject, () => operations(live, 'groups').updateSubject(groupJid, subject));
    return { update: 'success' };
  }

  async updateDescription(live: LiveInstance, groupJid: string, description: string) {
    await this.refused(refusals.description, () => operations(live, 'groups').updateDescription(groupJid, description));
    return { update: 'success' };
  }

  async updatePicture(live: LiveInstance, groupJid: string, image: string) {
    const ops = operations(live, 'groups');
    const loaded = await this.deps.media.load(image, { instanceId: live.id });
    if (!loaded.mimetype.startsWith('image/')) throw badRequest('"image" must be an image');
    await this.refused(refusals.picture, () => ops.updatePicture(groupJid, { data: loaded.data, mimetype: loaded.mimetype }));
    return { update: 'success' };
  }

  async findGroupInfos(live: LiveInstance, groupJid: string) {
    const ops = operations(live, 'groups');
    return this.refused(refusals.find, async () => groupInfo(await ops.metadata(groupJid), await ops.pictureUrl(groupJid), true));
  }

  async fetchAllGroups(live: LiveInstance, withParticipants: boolean) {
    const ops = operations(live, 'groups');
    const groups = await this.call(() => ops.list());
    return Promise.all(groups.map(async (g) => groupInfo(g, await this.call(() => ops.pictureUrl(g.id)), withParticipants)));
  }

  /** Members with the name and picture this instance has stored for them (upstream reads its contacts). */
  async participants(live: LiveInstance, groupJid: string) {
    const group = await this.refused(refusals.participants, () => operations(live, 'groups').metadata(groupJid));
    const participants = await Promise.all(group.participants.map(async (p) => {
      const [contact] = await this.deps.repos.contacts.find(live.id, p.id);
      return { ...p, name: contact?.pushName, imgUrl: contact?.profilePicUrl };
    }));
    return { participants };
  }

  async inviteCode(live: LiveInstance, groupJid: string) {
    const code = await this.refused(refusals.inviteCode, () => operations(live, 'groups').inviteCode(groupJid));
    return { inviteUrl: `https://chat.whatsapp.com/${code}`, inviteCode: code };
  }

  async inviteInfo(live: LiveInstance, code: string) {
    const ops = operations(live, 'groups');
    return this.call(async () => {
      try {
        return await ops.inviteInfo(code);
      } catch (e) {
        if (e instanceof GroupError) throw new ApiError(404, ['No invite info', code]);
        throw e;
      }
    });
  }

  async acceptInvite(live: LiveInstance, code: string) {
    const groupJid = await this.refused(refusals.accept, () => operations(live, 'groups').acceptInvite(code));
    return { accepted: true, groupJid };
  }

  async revokeInvite(live: LiveInstance, groupJid: string) {
    const inviteCode = await this.refused(refusals.revoke, () => operations(live, 'groups').revokeInvite(groupJid));
    return { revoked: true, inviteCode };
  }

  /** Sends the invite link as a text to each number; upstream turns any failure into one 404. */
  async sendInvite(live: LiveInstance, input: { groupJid: string; description: string; numbers: string[] }) {
    try {
      const { inviteUrl } = await this.inviteCode(live, input.groupJid);
      const text = `${input.description}\n\n${inviteUrl}`;
      for (const number of input.numbers) await this.deps.messages.send(live, { number }, { kind: 'text', text });
      return { send: true, inviteUrl };
    } catch (e) {
      if (e instanceof ApiError && e.status >= 500) throw e;
      throw new ApiError(404, ['No send invite']);
    }
  }

  async updateParticipants(live: LiveInstance, groupJid: string, action: ParticipantAction, numbers: string[]) {
    const jids = numbers.map(toJid);
    const updateParticipants = await this.refused(refusals.update, () => operations(live, 'groups').updateParticipants(groupJid, jids, action));
    return { updateParticipants };
  }

  /** WhatsApp answers nothing to a settings change, so upstream's `{updateSetting: undefined}` leaves as `{}`. */
  async updateSetting(live: LiveInstance, groupJid: string, setting: GroupSetting) {
    await this.refused(refusals.setting, () => operations(live, 'groups').updateSetting(groupJid, setting));
    return {};
  }

  async toggleEphemeral(live: LiveInstance, groupJid: string, expiration: number) {
    await this.refused(refusals.setting, () => operations(live, 'groups').toggleEphemeral(groupJid, expiration));
    return { success: true };
  }

  async updateMemberAddMode(live: LiveInstance, groupJid: string, mode: MemberAddMode) {
    await this.refused(refusals.addMode, () => operations(live, 'groups').memberAddMode(groupJid, mode));
    return { update: 'success', mode };
  }

  async leave(live: LiveInstance, groupJid: string) {
    await this.refused(refusals.leave, () => operations(live, 'groups').leave(groupJid));
    return { groupJid, leave: true };
  }

  /** A channel call whose group refusal becomes upstream's error for this route; other refusals as everywhere. */
  private refused<T>(refusal: Refusal, fn: () => Promise<T>): Promise<T> {
    return this.call(async () => {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof GroupError) throw new ApiError(refusal.status, [refusal.message, `Error: ${e.reason}`]);
        throw e;
      }
    });
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.instances.channelCall(fn);
  }
}
