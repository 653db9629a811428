import { jidNormalizedUser } from 'baileys';
import type { ChatOps, LabelOps, PrivacyOps, ProfileOps } from '../channel.js';
import type { PrivacySettings } from '../operations/privacy.js';
import type { SocketOf } from './operations.js';
import { ChannelError } from '../errors.js';

/**
 * Chat state, labels and the push name are app-state patches, encrypted with keys the phone shares with a new device
 * after linking. Until they arrived the library cannot write one: a clear 400 instead of a 500.
 */
async function appState(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (/app ?state ?key/i.test((err as Error).message ?? '')) {
      throw new ChannelError('The phone has not shared its app-state keys with this device yet (they follow the first sync after linking): try again in a moment');
    }
    throw err;
  }
}

/** Profiles: others' as WhatsApp shows them to this account, and the account's own. */
export function profileOps(sock: SocketOf, storedName: (jid: string) => Promise<string | null>): ProfileOps {
  const me = () => jidNormalizedUser(sock().user?.id);
  const pictureUrl = async (jid: string) => (await sock().profilePictureUrl(jid, 'image').catch(() => undefined)) ?? null;
  return {
    pictureUrl,
    async fetch(jid) {
      const [statuses, url, name] = await Promise.all([sock().fetchStatus(jid).catch(() => undefined), pictureUrl(jid), storedName(jid)]);
      const status = (statuses?.[0] as { status?: { status?: string | null } } | undefined)?.status?.status ?? null;
      return { name, status, pictureUrl: url };
    },
    setName: (name) => appState(() => sock().updateProfileName(name)),
    setStatus: (status) => sock().updateProfileStatus(status),
    setPicture: (image) => sock().updateProfilePicture(me(), image),
    removePicture: () => sock().removeProfilePicture(me()),
  };
}

export function privacyOps(sock: SocketOf): PrivacyOps {
  return {
    async fetch() {
      const p = await sock().fetchPrivacySettings(true);
      return { readreceipts: p.readreceipts ?? 'all', profile: p.profile ?? 'all', status: p.status ?? 'all', online: p.online ?? 'all', last: p.last ?? 'all', groupadd: p.groupadd ?? 'all' } as PrivacySettings;
    },
    async update(s) {
      const socket = sock();
      await socket.updateReadReceiptsPrivacy(s.readreceipts);
      await socket.updateProfilePicturePrivacy(s.profile);
      await socket.updateStatusPrivacy(s.status);
      await socket.updateOnlinePrivacy(s.online);
      await socket.updateLastSeenPrivacy(s.last);
      await socket.updateGroupsAddPrivacy(s.groupadd as Parameters<typeof socket.updateGroupsAddPrivacy>[0]);
    },
  };
}

/** Chat state lives in WhatsApp's app-state sync: the library writes the patches (archive, unread), blocks are IQs. */
export function chatOps(sock: SocketOf): ChatOps {
  const last = (m: { key: { remoteJid: string; fromMe: boolean; id: string }; messageTimestamp: number }) => [{ key: { remoteJid: m.key.remoteJid, fromMe: m.key.fromMe, id: m.key.id }, messageTimestamp: m.messageTimestamp }];
  return {
    archive: (jid, archive, lastMessage) => appState(() => sock().chatModify({ archive, lastMessages: last(lastMessage) }, jid)),
    markUnread: (jid, lastMessage) => appState(() => sock().chatModify({ markRead: false, lastMessages: last(lastMessage) }, jid)),
    updateBlockStatus: (jid, action) => sock().updateBlockStatus(jid, action),
  };
}

export function labelOps(sock: SocketOf): LabelOps {
  return {
    addChatLabel: (jid, labelId) => appState(() => sock().addChatLabel(jid, labelId)),
    removeChatLabel: (jid, labelId) => appState(() => sock().removeChatLabel(jid, labelId)),
  };
}
