import type { Logger } from 'pino';
import type { MediaFetcher } from './media.js';
import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';
import type { MediaService } from '../media/service.js';
import type { MediaRepository } from '../storage/mediaRepository.js';
import { optionalOperations } from './capabilities.js';
import { isMediaType } from './messageContent.js';
import { storageKeyOf } from '../media/keys.js';
import { extensionOf } from '../media/mimetype.js';
import { withTimeout } from '../timeout.js';

type Part = Record<string, unknown> & { mimetype?: string; fileSha256?: string; fileName?: string };

/** Keeps the media of sent and received messages in the media store, as upstream does with S3 enabled. */
export class MediaIngest implements MediaFetcher {
  constructor(private readonly media: MediaService, private readonly repo: MediaRepository, private readonly logger: Logger, private readonly downloadTimeoutMs = 30_000) {}

  async keep(live: LiveInstance, stored: StoredMessage, direction: 'sent' | 'received'): Promise<string | undefined> {
    const type = stored.messageType;
    const part = stored.message[type] as Part | undefined;
    if (!isMediaType(type) || !part || typeof part !== 'object') return undefined;
    try {
      const key = direction === 'sent' ? this.sentKey(live, part) : await this.download(live, stored, part);
      if (!key) return undefined;
      const info = await this.media.store.stat(key);
      if (!info) return undefined;
      // A new object: a sent message's content is also what the channel handed to the network.
      stored.message = { ...stored.message, mediaUrl: await this.media.url(key) };
      await this.repo.insert({ instanceId: live.id, messageId: stored.key.id, fileName: part.fileName ?? `${stored.key.id}.${extensionOf(info.mimetype)}`, type, mimetype: part.mimetype ?? info.mimetype, size: info.size, storageKey: key });
      return key;
    } catch (err) {
      this.logger.warn({ instance: live.name, messageId: stored.key.id, err: (err as Error).message }, 'media not kept; the message is stored without mediaUrl');
      return undefined;
    }
  }

  /** Sent media was stored under its content address before it went out. */
  private sentKey(live: LiveInstance, part: Part): string | undefined {
    return typeof part.fileSha256 === 'string' && typeof part.mimetype === 'string' ? storageKeyOf(live.id, part.fileSha256, part.mimetype) : undefined;
  }

  /** Received media: bytes inlined by the channel (moved out of the row), else downloaded through the channel or its URL. */
  private async download(live: LiveInstance, stored: StoredMessage, part: Part): Promise<string | undefined> {
    let data: Buffer | undefined;
    if (typeof stored.message.base64 === 'string') {
      data = Buffer.from(stored.message.base64, 'base64');
      const { base64: _bytes, ...rest } = stored.message;
      stored.message = rest;
    } else {
      const ops = optionalOperations(live, 'media');
      data = ops && (await withTimeout(ops.download(part, stored.messageType), this.downloadTimeoutMs, 'media download timed out'));
      // Media given as a plain URL (channels without a download step, sandbox contacts' links) is fetched like
      // client-given media, through the address guard; with a mediaKey the bytes there are encrypted: only the channel reads them.
      if (!data && !part.mediaKey && typeof part.url === 'string' && /^https?:\/\//i.test(part.url)) data = (await this.media.load({ url: part.url }, { instanceId: live.id }).catch(() => undefined))?.data;
    }
    if (!data?.length) return undefined;
    const saved = await this.media.save(live.id, data, part.mimetype ?? 'application/octet-stream');
    return saved.key;
  }
}
