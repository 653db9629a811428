import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { downloadContentFromMessage, encryptedStream, toBuffer, type MediaType, type proto } from 'baileys';
import { Agent } from 'undici';
import type { MediaServer, TestCa } from './media.js';

/** The media kinds a contact sends and downloads, by their message field. */
export const MEDIA_KINDS = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
} as const;
export type MediaKind = keyof typeof MEDIA_KINDS;

/** The fields every media message shares. */
export type MediaFields = proto.Message.IImageMessage & proto.Message.IDocumentMessage;

/**
 * A contact's side of media, with the library's own media crypto: `encryptedStream` (mediaKey,
 * HKDF, AES-CBC, HMAC) to upload, `downloadContentFromMessage` over HTTPS to download.
 */
export const uploadMedia = async (media: MediaServer, data: Buffer, kind: MediaKind, mimetype: string): Promise<MediaFields> => {
  const enc = await encryptedStream(data, kind);
  try {
    const directPath = media.store(await readFile(enc.encFilePath));
    return {
      url: `https://${media.host}${directPath}`,
      directPath,
      mimetype,
      mediaKey: enc.mediaKey,
      fileSha256: enc.fileSha256,
      fileEncSha256: enc.fileEncSha256,
      fileLength: enc.fileLength,
      mediaKeyTimestamp: Math.floor(Date.now() / 1000),
    };
  } finally {
    await unlink(enc.encFilePath).catch(() => undefined);
  }
};

/** An undici dispatcher that trusts the test CA, for the library's `fetch` downloads. */
export const caDispatcher = (tls: Pick<TestCa, 'ca'>): Agent => new Agent({ connect: { ca: tls.ca } });

/** The media part of a message and its kind, if it has one. */
export const mediaOf = (m: proto.IMessage): { kind: MediaKind; fields: MediaFields } | undefined => {
  for (const [kind, field] of Object.entries(MEDIA_KINDS) as [MediaKind, (typeof MEDIA_KINDS)[MediaKind]][]) {
    const fields = m[field] as MediaFields | null | undefined;
    if (fields) return { kind, fields };
  }
  return undefined;
};

export const downloadMedia = async (fields: MediaFields, kind: MediaKind, dispatcher: Agent): Promise<Buffer> => {
  if (!fields.mediaKey) throw new Error('media without a media key');
  const stream = await downloadContentFromMessage(
    { mediaKey: fields.mediaKey, directPath: fields.directPath ?? undefined, url: fields.url ?? undefined },
    kind as MediaType,
    { options: { dispatcher } as RequestInit },
  );
  const plain = await toBuffer(stream);
  if (fields.fileSha256 && !createHash('sha256').update(plain).digest().equals(Buffer.from(fields.fileSha256))) {
    throw new Error(`downloaded ${kind} does not match its fileSha256`);
  }
  return plain;
};
