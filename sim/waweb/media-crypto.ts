import { createHash } from 'node:crypto';
import { readFile, unlink } from 'node:fs/promises';
import { downloadContentFromMessage, encryptedStream, toBuffer, type proto } from 'baileys';
import { Agent } from 'undici';
import type { MediaServer, TestCa } from './media.js';

/**
 * A contact's side of media, with the library's own media crypto: `encryptedStream` (mediaKey,
 * HKDF, AES-CBC, HMAC) to upload, `downloadContentFromMessage` over HTTPS to download.
 */
export const uploadImage = async (media: MediaServer, image: Buffer, mimetype = 'image/jpeg'): Promise<proto.Message.IImageMessage> => {
  const enc = await encryptedStream(image, 'image');
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

export const downloadImage = async (image: proto.Message.IImageMessage, dispatcher: Agent): Promise<Buffer> => {
  if (!image.mediaKey) throw new Error('image without a media key');
  const stream = await downloadContentFromMessage(
    { mediaKey: image.mediaKey, directPath: image.directPath ?? undefined, url: image.url ?? undefined },
    'image',
    { options: { dispatcher } as RequestInit },
  );
  const plain = await toBuffer(stream);
  if (image.fileSha256 && !createHash('sha256').update(plain).digest().equals(Buffer.from(image.fileSha256))) {
    throw new Error('downloaded image does not match its fileSha256');
  }
  return plain;
};
