import { downloadContentFromMessage, type MediaType, type WASocket } from 'baileys';
import type { Dispatcher } from 'undici';
import type { MessageKey } from '../../domain/types.js';
import type { MediaOps, NumberCheck, NumberOps, PresenceOps, ReceiptOps } from '../channel.js';
import { toJid } from '../../domain/jid.js';

/** The open socket, or a ChannelError saying the instance is not connected. */
export type SocketOf = () => WASocket;

export function presenceOps(sock: SocketOf): PresenceOps {
  return {
    async sendPresence(presence, remoteJid) {
      await sock().sendPresenceUpdate(presence, remoteJid);
    },
  };
}

export function receiptOps(sock: SocketOf): ReceiptOps {
  const keys = (list: MessageKey[]) => list.map((k) => ({ remoteJid: k.remoteJid, fromMe: k.fromMe, id: k.id, ...(k.participant ? { participant: k.participant } : {}) }));
  return {
    markRead: (list) => sock().readMessages(keys(list)),
    async markPlayed(list) {
      for (const k of keys(list)) await sock().sendReceipt(k.remoteJid, k.participant, [k.id], 'played');
    },
  };
}

export function numberOps(sock: SocketOf): NumberOps {
  return {
    async checkNumbers(numbers) {
      const jids = numbers.map((n) => toJid(n));
      const people = jids.filter((j) => !j.endsWith('@g.us'));
      const found = people.length ? ((await sock().onWhatsApp(...people)) ?? []) : [];
      return numbers.map((number, i): NumberCheck => {
        const jid = jids[i]!;
        if (jid.endsWith('@g.us')) return { jid, exists: true, number };
        const hit = found.find((f) => f.jid === jid || f.jid.split('@')[0] === jid.split('@')[0]);
        return { jid: hit?.jid ?? jid, exists: !!hit?.exists, number };
      });
    },
  };
}

/** How each message type's media is encrypted (the HKDF info the library derives its keys with). */
const MEDIA_TYPES: Record<string, MediaType> = {
  imageMessage: 'image',
  videoMessage: 'video',
  ptvMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  documentWithCaptionMessage: 'document',
  stickerMessage: 'sticker',
};

/**
 * Received media, downloaded and decrypted by the library. Sending needs no upload step here: the library encrypts and
 * uploads media itself when the message goes out.
 */
export function mediaOps(dispatcher: () => Dispatcher | undefined): Pick<MediaOps, 'download'> {
  return {
    async download(part, messageType) {
      const type = MEDIA_TYPES[messageType ?? ''] ?? (typeof part.fileName === 'string' ? 'document' : guess(String(part.mimetype ?? '')));
      const mediaKey = typeof part.mediaKey === 'string' ? Buffer.from(part.mediaKey, 'base64') : undefined;
      const directPath = typeof part.directPath === 'string' ? part.directPath : undefined;
      const url = typeof part.url === 'string' ? part.url : undefined;
      if (!mediaKey || (!directPath && !url)) return undefined;
      const d = dispatcher();
      const stream = await downloadContentFromMessage({ mediaKey, directPath, url }, type, d ? { options: { dispatcher: d } as RequestInit } : {});
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

const guess = (mimetype: string): MediaType => (mimetype.startsWith('image/') ? 'image' : mimetype.startsWith('video/') ? 'video' : mimetype.startsWith('audio/') ? 'audio' : 'document');
