import { request } from 'undici';
import type { Logger } from 'pino';
import type { MediaFetcher } from '../domain/media.js';

export interface MediaFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  logger: Logger;
}

/** Downloads media by URL with a size cap and a timeout; failures leave the message without base64. */
export class HttpMediaFetcher implements MediaFetcher {
  constructor(private readonly opts: MediaFetchOptions) {}

  async base64Of(content: unknown): Promise<string | undefined> {
    const url = (content as { url?: unknown } | undefined)?.url;
    if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return undefined;
    try {
      const res = await request(url, { method: 'GET', headersTimeout: this.opts.timeoutMs, bodyTimeout: this.opts.timeoutMs, maxRedirections: 0 } as Parameters<typeof request>[1]);
      if (res.statusCode !== 200) {
        await res.body.dump();
        return undefined;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.opts.maxBytes) {
          res.body.destroy();
          this.opts.logger.warn({ maxBytes: this.opts.maxBytes }, 'media larger than the limit; webhook sent without base64');
          return undefined;
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('base64');
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'media download failed; webhook sent without base64');
      return undefined;
    }
  }
}
