import type { GroupMetadata as LibraryGroup, WASocket } from 'baileys';
import { GroupError, type GroupMetadata, type GroupOps } from '../operations/groups.js';
import type { SocketOf } from './operations.js';
import type { LidMap } from './lidMap.js';
import type { GroupCache } from './groupCache.js';

const REASONS = ['not-authorized', 'item-not-found', 'forbidden', 'conflict'] as const;

/** Groups through the library's group IQs; the metadata cache follows what the instance changes itself. */
export function groupOps(sock: SocketOf, lids: LidMap, cache: GroupCache): GroupOps {
  const view = (g: LibraryGroup): GroupMetadata => ({
    id: g.id,
    addressingMode: g.addressingMode === 'lid' ? 'lid' : 'pn',
    subject: g.subject,
    ...(g.subjectOwner ? { subjectOwner: lids.pnOf(g.subjectOwner) } : {}),
    ...(g.subjectTime ? { subjectTime: g.subjectTime } : {}),
    size: g.size ?? g.participants.length,
    ...(g.creation ? { creation: g.creation } : {}),
    ...(g.owner ? { owner: lids.pnOf(g.ownerPn ?? g.owner) } : {}),
    ...(g.desc ? { desc: g.desc } : {}),
    ...(g.descId ? { descId: g.descId } : {}),
    ...(g.descOwner ? { descOwner: lids.pnOf(g.descOwner) } : {}),
    ...(g.descTime ? { descTime: g.descTime } : {}),
    ...(g.linkedParent ? { linkedParent: g.linkedParent } : {}),
    restrict: !!g.restrict,
    announce: !!g.announce,
    isCommunity: !!g.isCommunity,
    isCommunityAnnounce: !!g.isCommunityAnnounce,
    joinApprovalMode: !!g.joinApprovalMode,
    memberAddMode: !!g.memberAddMode,
    participants: g.participants.map((p) => ({ id: lids.pnOf(p.phoneNumber ?? p.id), admin: p.admin ?? null })),
    ...(g.ephemeralDuration ? { ephemeralDuration: g.ephemeralDuration } : {}),
  });
  /** The server's refusal as the gateway's GroupError (upstream shows `Error: <reason>`). */
  const call = async <T>(run: (s: WASocket) => Promise<T>): Promise<T> => {
    try {
      return await run(sock());
    } catch (err) {
      const text = (err as Error).message ?? '';
      const reason = REASONS.find((r) => text.includes(r));
      if (reason) throw new GroupError(reason);
      throw err;
    }
  };
  const fresh = async (jid: string) => {
    const g = await call((s) => s.groupMetadata(jid));
    cache.put(g);
    return g;
  };
  return {
    create: async (subject, participants) => {
      const g = await call((s) => s.groupCreate(subject, participants));
      cache.put(g);
      return view(g);
    },
    metadata: async (jid) => view(await fresh(jid)),
    list: async () => Object.values(await call((s) => s.groupFetchAllParticipating())).map(view),
    pictureUrl: async (jid) => (await call((s) => s.profilePictureUrl(jid, 'image')).catch(() => undefined)) ?? null,
    updateSubject: (jid, subject) => call((s) => s.groupUpdateSubject(jid, subject)),
    updateDescription: (jid, description) => call((s) => s.groupUpdateDescription(jid, description)),
    updatePicture: (jid, image) => call((s) => s.updateProfilePicture(jid, image.data)),
    updateParticipants: async (jid, participants, action) => {
      const results = await call((s) => s.groupParticipantsUpdate(jid, participants, action));
      cache.forget(jid);
      return results.map((r) => ({ status: (['200', '403', '404', '409'].includes(r.status) ? r.status : '403') as '200', jid: lids.pnOf(r.jid ?? '') }));
    },
    updateSetting: (jid, setting) => call((s) => s.groupSettingUpdate(jid, setting)),
    toggleEphemeral: (jid, expiration) => call((s) => s.groupToggleEphemeral(jid, expiration)),
    memberAddMode: (jid, mode) => call((s) => s.groupMemberAddMode(jid, mode)),
    inviteCode: async (jid) => (await call((s) => s.groupInviteCode(jid))) ?? '',
    revokeInvite: async (jid) => (await call((s) => s.groupRevokeInvite(jid))) ?? '',
    inviteInfo: async (code) => view(await call((s) => s.groupGetInviteInfo(code))),
    acceptInvite: async (code) => {
      const jid = await call((s) => s.groupAcceptInvite(code));
      if (!jid) throw new GroupError('item-not-found');
      return jid;
    },
    leave: async (jid) => {
      await call((s) => s.groupLeave(jid));
      cache.forget(jid);
    },
  };
}
