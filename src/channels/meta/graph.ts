import { Agent, fetch, FormData, type Response } from 'undici';
import { GraphError, type GraphErrorBody } from '../operations/templates.js';
import type { RateLimiter } from './rateLimit.js';

export interface GraphOptions {
  /** WA_BUSINESS_URL/WA_BUSINESS_VERSION, without a trailing slash. */
  baseUrl: string;
  timeoutMs: number;
  /** Attempts of a call answered 429/5xx (or not answered at all). */
  maxAttempts: number;
  limiter: RateLimiter;
  /** First retry delay; doubles up to 10 s unless Retry-After says otherwise. */
  backoffMs?: number;
}

export interface CallOptions {
  /** The phone number id whose send queue this call takes a slot of (sends and uploads); none for account calls. */
  queue?: string;
  /** Called once when the first attempt failed and the call is being retried. */
  retrying?: (err: Error) => void;
}

/** Graph answered 429/5xx or nothing at all, every time: `code` is Graph's code when it sent one, else the HTTP status (0: no answer). */
export class GraphUnavailable extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Graph error codes that mean "too many calls, later": app, account and phone-number throughput limits. */
const THROTTLED = new Set([4, 80007, 130429]);

/**
 * The Graph API over one keep-alive pool: JSON and multipart calls with the account's bearer token, Graph's error
 * objects turned into GraphError, and 429/5xx/no answer retried with exponential backoff that honours Retry-After.
 */
export class GraphClient {
  private readonly agent: Agent;

  constructor(private readonly opts: GraphOptions) {
    this.agent = new Agent({ keepAliveTimeout: 30_000, connections: 64, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs });
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** `path` is relative to the versioned base (`/<phone id>/messages`) or an absolute URL (media downloads). */
  async json<T>(token: string, method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    const res = await this.attempts(token, method, path, () => (body === undefined ? undefined : JSON.stringify(body)), body === undefined ? {} : { 'content-type': 'application/json' }, options);
    return (await res.json()) as T;
  }

  async multipart<T>(token: string, path: string, form: () => FormData, options: CallOptions = {}): Promise<T> {
    const res = await this.attempts(token, 'POST', path, form, {}, options);
    return (await res.json()) as T;
  }

  /** The bytes behind a URL Graph handed out (media downloads need the same bearer token). */
  async bytes(token: string, url: string): Promise<Buffer> {
    const res = await this.attempts(token, 'GET', url, () => undefined, {}, {});
    return Buffer.from(await res.arrayBuffer());
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async attempts(token: string, method: string, path: string, body: () => string | FormData | undefined, headers: Record<string, string>, options: CallOptions): Promise<Response> {
    const url = /^https?:\/\//.test(path) ? path : `${this.opts.baseUrl}${path}`;
    let delay = this.opts.backoffMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      if (options.queue) await this.opts.limiter.take(options.queue);
      let failure: Error;
      let wait = delay;
      try {
        const res = await fetch(url, { method, body: body(), headers: { authorization: `Bearer ${token}`, ...headers }, dispatcher: this.agent, signal: AbortSignal.timeout(this.opts.timeoutMs) });
        if (res.ok) return res;
        const error = await errorOf(res);
        const retryable = res.status === 429 || res.status >= 500 || THROTTLED.has(error.code);
        if (!retryable) throw new GraphError(error);
        failure = new GraphUnavailable(error.code || res.status, error.message);
        const after = retryAfterMs(res.headers.get('retry-after'));
        if (after !== undefined) {
          wait = after;
          if (options.queue) this.opts.limiter.pause(options.queue, after);
        }
      } catch (err) {
        if (err instanceof GraphError) throw err;
        failure = new GraphUnavailable(0, `Graph API unreachable: ${(err as Error).message}`);
      }
      if (attempt >= this.opts.maxAttempts) throw failure;
      if (attempt === 1) options.retrying?.(failure);
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

async function errorOf(res: Response): Promise<GraphErrorBody> {
  const text = await res.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as { error?: Partial<GraphErrorBody> };
    if (parsed.error && typeof parsed.error === 'object') {
      const e = parsed.error;
      return { message: String(e.message ?? `HTTP ${res.status}`), type: String(e.type ?? 'GraphMethodException'), code: Number(e.code ?? res.status), ...(e.error_subcode !== undefined ? { error_subcode: Number(e.error_subcode) } : {}), ...(e.error_user_title ? { error_user_title: String(e.error_user_title) } : {}), ...(e.error_user_msg ? { error_user_msg: String(e.error_user_msg) } : {}), ...(e.error_data ? { error_data: e.error_data } : {}), fbtrace_id: String(e.fbtrace_id ?? '') } as GraphErrorBody;
    }
  } catch {
    /* not JSON: described by the status */
  }
  return { message: `Graph API answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`, type: 'HttpError', code: res.status, fbtrace_id: '' };
}

/** Retry-After in seconds or as an HTTP date; capped at 60 s so one answer cannot stall a queue for long. */
export function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(60_000, Math.max(0, ms)) : undefined;
}

export { FormData };
