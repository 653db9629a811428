import type { Gateway } from '../gateway.js';
import type { LiveInstance } from './registry.js';
import type { MediaRow } from '../storage/mediaRepository.js';
import { optionalOperations } from './capabilities.js';
import { badRequest } from './errors.js';
import { publicView } from './messageView.js';
import { storageKeyOf } from '../media/keys.js';
import { extensionOf } from '../media/mimetype.js';
import { audioToMp4 } from '../media/convert/audio.js';

const MEDIA_TYPES = ['imageMessage', 'documentMessage', 'audioMessage', 'videoMessage', 'stickerMessage', 'ptvMessage'] as const;
const WRAPPERS = ['ephemeralMessage', 'viewOnceMessage', 'viewOnceMessageV2', 'documentWithCaptionMessage'];

type Part = Record<string, unknown> & { mimetype?: string; fileSha256?: string; fileName?: string; caption?: string };

export interface Base64Media {
  mediaType: string;
  fileName: string;
  caption?: string;
  size: { fileLength?: unknown; height?: unknown; width?: unknown };
  mimetype: string;
  base64: string;
  buffer: null;
}

/** The media part of a message, looking inside the wrappers WhatsApp puts around some messages. */
function mediaPartOf(message: Record<string, unknown>): { type: string; part: Part } | undefined {
  for (const t of MEDIA_TYPES) if (message[t] && typeof message[t] === 'object') return { type: t, part: message[t] as Part };
  for (const w of WRAPPERS) {
    const inner = (message[w] as { message?: Record<string, unknown> } | undefined)?.message;
    if (inner) return mediaPartOf(inner);
  }
  return undefined;
}

/** Reading kept media back: getBase64FromMediaMessage and the /s3 routes. */
export class MediaQueries {
  constructor(private readonly gw: Pick<Gateway, 'media' | 'repos' | 'instances'>) {}

  /** `given` is `{key:{id}}` (the stored message is used) or a full WebMessageInfo. */
  async base64Of(live: LiveInstance, given: { key: { id: string }; message?: Record<string, unknown> }, convertToMp4 = false): Promise<Base64Media> {
    const keyId = given.key.id;
    const message = given.message && Object.keys(given.message).length ? given.message : (await this.gw.repos.messages.findByKeyId(live.id, keyId))?.message;
    if (!message) throw badRequest('Message not found');
    const found = mediaPartOf(message);
    if (!found) throw badRequest('The message is not of the media type');
    const { type, part } = found;
    let data = await this.bytesOf(live, keyId, part);
    if (!data) throw badRequest('The media of this message could not be downloaded');
    let mimetype = part.mimetype ?? 'application/octet-stream';
    let fileName = part.fileName ?? `${keyId}.${extensionOf(mimetype)}`;
    if (convertToMp4 && type === 'audioMessage') {
      data = await audioToMp4(data, mimetype).catch((err: Error) => {
        throw badRequest(`The audio could not be converted: ${err.message}`);
      });
      mimetype = 'audio/mp4';
      fileName = `${keyId}.mp4`;
    }
    return { mediaType: type, fileName, ...(part.caption ? { caption: part.caption } : {}), size: { fileLength: part.fileLength, height: part.height, width: part.width }, mimetype, base64: data.toString('base64'), buffer: null };
  }

  /** From the store (the message's Media row, else the content address of its hash), else from the network. */
  private async bytesOf(live: LiveInstance, keyId: string, part: Part): Promise<Buffer | undefined> {
    const row = await this.gw.repos.media.findByMessage(live.id, keyId);
    const key = row?.storageKey ?? (typeof part.fileSha256 === 'string' && part.mimetype ? storageKeyOf(live.id, part.fileSha256, part.mimetype) : undefined);
    const kept = key ? await this.gw.media.readAll(key).catch(() => undefined) : undefined;
    if (kept) return kept;
    const ops = optionalOperations(live, 'media');
    return ops ? this.gw.instances.channelCall(() => ops.download(part)) : undefined;
  }

  /** /s3/getMedia: the instance's Media rows with their message. */
  async find(live: LiveInstance, where: { id?: string; type?: string; messageId?: string }): Promise<Array<MediaRow & { Message: unknown }>> {
    const rows = await this.gw.repos.media.find(live.id, where);
    return Promise.all(rows.map(async (r) => {
      const m = await this.gw.repos.messages.findByKeyId(live.id, r.messageId);
      return { ...r, Message: m ? publicView(m) : null };
    }));
  }

  /** /s3/getMediaUrl: a fresh URL of one Media row (presigned on S3, signed by this server on disk). */
  async url(live: LiveInstance, id: string, expirySeconds?: number): Promise<MediaRow & { mediaUrl: string }> {
    const row = await this.gw.repos.media.findById(live.id, id);
    if (!row) throw badRequest('Media not found');
    return { mediaUrl: await this.gw.media.url(row.storageKey, expirySeconds), ...row };
  }
}
