import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { MediaLoader, MediaInput, MediaLoadOptions, LoadedMedia } from './types.js';
import type { HttpMediaLoader } from './loader.js';
import type { MediaStore } from './store/types.js';
import type { UrlSigner } from './store/signing.js';
import { storageKeyOf } from './keys.js';

/** Bytes kept in the media store, and what identifies them. */
export interface StoredObject {
  key: string;
  mimetype: string;
  size: number;
  /** SHA-256 of the bytes, base64 (as WhatsApp's fileSha256). */
  sha256: string;
}

/** The gateway's media pipeline: loading client-given media, and keeping media bytes in the store. */
export class MediaService implements MediaLoader {
  constructor(private readonly loader: HttpMediaLoader, readonly store: MediaStore, readonly signer: UrlSigner, readonly maxBytes: number) {}

  /** Downloads for an instance go through its proxy (set once the proxy service exists). */
  useProxies(proxyFor: (instanceId: string) => Promise<Dispatcher | undefined>): void {
    this.loader.proxyFor = proxyFor;
  }

  load(input: string | MediaInput, options?: MediaLoadOptions): Promise<LoadedMedia> {
    return this.loader.load(input, options);
  }

  /** Stores bytes under a content-addressed key: the same bytes for the same instance are kept once. */
  async save(instanceId: string, data: Buffer, mimetype: string): Promise<StoredObject> {
    const sha256 = createHash('sha256').update(data).digest('base64');
    const key = storageKeyOf(instanceId, sha256, mimetype);
    const known = await this.store.stat(key);
    if (!known || known.size !== data.length) await this.store.put(key, data, mimetype);
    return { key, mimetype, size: data.length, sha256 };
  }

  read(key: string): Promise<Readable | undefined> {
    return this.store.get(key);
  }

  async readAll(key: string): Promise<Buffer | undefined> {
    const stream = await this.store.get(key);
    if (!stream) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  url(key: string, expirySeconds?: number): Promise<string> {
    return this.store.url(key, expirySeconds);
  }

  async close(): Promise<void> {
    await this.store.close?.();
  }
}
