import { request, type Dispatcher } from 'undici';
import { basename } from 'node:path';
import { ApiError, badRequest } from '../domain/errors.js';
import { addressRefusalIn, assertAllowedUrl, guardedDispatcher, AddressRefused, type GuardOptions } from '../security/addressGuard.js';
import { detectMimetype } from './mimetype.js';
import type { LoadedMedia, MediaInput, MediaLoader, MediaLoadOptions } from './types.js';

export interface LoaderOptions extends GuardOptions {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
}

const BASE64 = /^[A-Za-z0-9+/\s]+={0,2}\s*$/;
const DATA_URI = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[\w-]+=[^;,]*)*;base64,/i;

export const tooLarge = (maxBytes: number) => new ApiError(413, [`The media is larger than the limit of ${maxBytes} bytes`]);

/** Loads media given by URL, base64 or upload; URLs go only where the address guard allows, on every hop. */
export class HttpMediaLoader implements MediaLoader {
  private readonly dispatcher: Dispatcher;
  /** The instance's proxy, when it has one: its downloads go through it (undefined: direct). */
  proxyFor: ((instanceId: string) => Promise<Dispatcher | undefined>) | undefined;

  constructor(private readonly opts: LoaderOptions) {
    this.dispatcher = guardedDispatcher(opts, { connections: 64 });
  }

  async load(input: string | MediaInput, options: MediaLoadOptions = {}): Promise<LoadedMedia> {
    const maxBytes = Math.min(options.maxBytes ?? this.opts.maxBytes, this.opts.maxBytes);
    if (typeof input === 'string') input = mediaInputOf(input);
    let data: Buffer;
    let fileName = options.fileName;
    let given = options.mimetype;
    if ('url' in input) {
      const got = await this.fetch(input.url, maxBytes, options.instanceId);
      data = got.data;
      given ??= got.contentType;
      fileName ??= got.fileName;
    } else if ('base64' in input) {
      const dataUri = DATA_URI.exec(input.base64);
      if (dataUri?.[1]) given ??= dataUri[1];
      const body = dataUri ? input.base64.slice(dataUri[0].length) : input.base64;
      // 4 base64 characters carry 3 bytes: refuse before decoding what would be too large anyway.
      if (Math.floor((body.length * 3) / 4) > maxBytes + 3) throw tooLarge(maxBytes);
      data = Buffer.from(body, 'base64');
      if (data.length > maxBytes) throw tooLarge(maxBytes);
    } else {
      data = input.file.data;
      if (data.length > maxBytes) throw tooLarge(maxBytes);
      fileName ??= input.file.fileName;
      given ??= input.file.mimetype;
    }
    if (!data.length) throw badRequest('The media is empty');
    const { mimetype } = await detectMimetype(data, given, fileName);
    return { data, mimetype, size: data.length, ...(fileName ? { fileName } : {}) };
  }

  /** GET with redirects followed by hand, each target checked; the whole download shares one deadline. */
  private async fetch(url: string, maxBytes: number, instanceId?: string): Promise<{ data: Buffer; contentType?: string; fileName?: string }> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    let target = url;
    try {
      const dispatcher = (instanceId && (await this.proxyFor?.(instanceId))) || this.dispatcher;
      for (let hop = 0; hop <= (this.opts.maxRedirects ?? 5); hop++) {
        const parsed = await assertAllowedUrl(target, this.opts);
        const res = await request(parsed, { method: 'GET', dispatcher, signal, headers: { 'user-agent': 'wa-gateway-media/1', accept: '*/*' } });
        if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
          await res.body.dump();
          target = new URL(String(res.headers.location), parsed).toString();
          continue;
        }
        if (res.statusCode !== 200) {
          await res.body.dump();
          throw badRequest(`The media URL answered ${res.statusCode}`);
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          res.body.destroy();
          throw tooLarge(maxBytes);
        }
        const data = await readCapped(res.body, maxBytes, Number.isFinite(declared) ? declared : undefined);
        const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'].split(';')[0]!.trim() : undefined;
        const name = basename(decodeURIComponent(parsed.pathname));
        return { data, ...(contentType ? { contentType } : {}), ...(name && name.includes('.') ? { fileName: name } : {}) };
      }
      throw badRequest('The media URL redirects too often');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const refused = addressRefusalIn(err);
      if (refused) throw badRequest(refused.reason === 'unresolvable' ? `The media URL host could not be resolved: ${refused.target}` : `The media URL is not allowed: ${refused.target} (${refused.reason} address)`);
      if (signal.aborted) throw badRequest(`The media URL did not answer within ${this.opts.timeoutMs} ms`);
      throw badRequest(`The media could not be downloaded: ${(err as Error).message}`);
    }
  }
}

/**
 * The body, at most `maxBytes`. With a declared length the bytes go straight into one buffer of that size, so a large
 * download is never in memory twice (chunks plus their concatenation).
 */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): void }, maxBytes: number, declared?: number): Promise<Buffer> {
  const target = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > maxBytes || (target && size + chunk.length > target.length)) {
      body.destroy();
      if (size + chunk.length > maxBytes) throw tooLarge(maxBytes);
      throw badRequest('The media URL sent more bytes than it declared');
    }
    if (target) chunk.copy(target, size);
    else chunks.push(chunk);
    size += chunk.length;
  }
  if (target) return size === target.length ? target : target.subarray(0, size);
  return Buffer.concat(chunks, size);
}

/** A string the client gave: an http(s) URL or base64 (plain or a data URI); anything else is not media. */
export function mediaInputOf(value: string): MediaInput {
  const v = value.trim();
  if (/^https?:\/\//i.test(v)) return { url: v };
  if (DATA_URI.test(v) || (v.length >= 4 && BASE64.test(v.slice(0, 4096)) && BASE64.test(v.slice(-4096)))) return { base64: v };
  throw badRequest('Owned media must be a url or base64');
}

export { AddressRefused };
