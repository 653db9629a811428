import { request, type Dispatcher } from 'undici';
import { guardedDispatcher } from '../../security/addressGuard.js';

export class BotHttpError extends Error {
  constructor(readonly url: string, readonly status: number, readonly body: string) {
    super(`bot platform answered ${status} at ${new URL(url).origin}${new URL(url).pathname}`);
  }
}

export interface BotRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as multipart/form-data. */
  form?: FormData;
}

/**
 * The one way providers reach bot platforms: through the address guard (tenant-given URLs never reach metadata or
 * link-local addresses, nor private ones when MEDIA_URL_ALLOW_PRIVATE=false), with a timeout and a size limit.
 */
export class BotHttp {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: { allowPrivate: boolean; timeoutMs: number; maxBytes?: number }) {
    this.dispatcher = guardedDispatcher({ allowPrivate: opts.allowPrivate }, { headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs, connections: 64 });
  }

  /** The answer's body as text; a non-2xx status throws BotHttpError. */
  async text(url: string, r: BotRequest = {}): Promise<string> {
    const { body, status } = await this.send(url, r);
    if (status < 200 || status >= 300) throw new BotHttpError(url, status, body.slice(0, 500));
    return body;
  }

  async json<T>(url: string, r: BotRequest = {}): Promise<T> {
    const text = await this.text(url, r);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      return text as unknown as T;
    }
  }

  /** A server-sent-events answer, as its events' parsed data in order. */
  async events(url: string, r: BotRequest = {}): Promise<Array<Record<string, unknown>>> {
    const text = await this.text(url, r);
    const out: Array<Record<string, unknown>> = [];
    for (const block of text.split(/\r?\n\r?\n/)) {
      const data = block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
      if (!data || data === '[DONE]') continue;
      try {
        out.push(JSON.parse(data) as Record<string, unknown>);
      } catch {
        /* not JSON: skipped */
      }
    }
    return out;
  }

  private async send(url: string, r: BotRequest): Promise<{ status: number; body: string }> {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BotHttpError(url, 0, 'only http and https URLs are reached');
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream', ...r.headers };
    let body: string | Buffer | undefined;
    if (r.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(r.json);
    } else if (r.form) {
      const encoded = new Response(r.form);
      headers['content-type'] = encoded.headers.get('content-type')!;
      body = Buffer.from(await encoded.arrayBuffer());
    }
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    const res = await request(url, { method: r.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, dispatcher: this.dispatcher, signal });
    const max = this.opts.maxBytes ?? 16 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > max) {
        res.body.destroy();
        throw new BotHttpError(url, res.statusCode, `answer larger than ${max} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
  }

  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

/** A URL joined with a path, whatever slashes either has. */
export const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
