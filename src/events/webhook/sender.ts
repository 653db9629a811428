import { request, type Dispatcher } from 'undici';
import { webhookHeaders } from './jwt.js';
import { signatureHeaders } from './signing.js';

export interface SendInput {
  id: string;
  url: string;
  body: string;
  headers: Record<string, string> | null;
  secret: string | null;
  /** Extra headers of the gateway itself (correlation ids...). */
  extra?: Record<string, string>;
}

export interface SendResult {
  ok: boolean;
  status?: number;
  latencyMs: number;
  error?: string;
  /** From Retry-After on 429/503, in ms. */
  retryAfterMs?: number;
}

/** One HTTP POST of a webhook body, signed when a secret is set. Never throws. */
export async function sendWebhook(agent: Dispatcher, input: SendInput): Promise<SendResult> {
  const started = performance.now();
  try {
    const res = await request(input.url, {
      method: 'POST',
      body: input.body,
      headers: {
        'content-type': 'application/json',
        ...webhookHeaders(input.headers),
        'webhook-id': input.id,
        ...(input.secret ? signatureHeaders(input.secret, input.id, input.body) : {}),
        ...input.extra,
      },
      dispatcher: agent,
    });
    await res.body.dump();
    const status = res.statusCode;
    const latencyMs = Math.round(performance.now() - started);
    if (status >= 200 && status < 300) return { ok: true, status, latencyMs };
    return { ok: false, status, latencyMs, error: `HTTP ${status}`, retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(res.headers['retry-after']) : undefined };
  } catch (e) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (e as Error).message || String(e) };
  }
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
