import type { Dispatcher } from 'undici';
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
    const res = await post(agent, input.url, input.body, {
      'content-type': 'application/json',
      ...webhookHeaders(input.headers),
      'webhook-id': input.id,
      ...(input.secret ? signatureHeaders(input.secret, input.id, input.body) : {}),
      ...input.extra,
    });
    const status = res.status;
    const latencyMs = Math.round(performance.now() - started);
    if (status >= 200 && status < 300) return { ok: true, status, latencyMs };
    return { ok: false, status, latencyMs, error: `HTTP ${status}`, retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(res.retryAfter) : undefined };
  } catch (e) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), error: (e as Error).message || String(e) };
  }
}

/** Response bytes read (and dropped) before the connection is cut, like undici's body.dump(). */
const DUMP_LIMIT = 128 * 1024;
const targets = new Map<string, { origin: string; path: string }>();

/**
 * A POST straight on the dispatcher: `request()` wraps every response in a stream and parses the URL again, which cost
 * about as much CPU as the rest of the send; the body of the answer is read and dropped here, only the status and
 * Retry-After are kept.
 */
function post(agent: Dispatcher, url: string, body: string, headers: Record<string, string>): Promise<{ status: number; retryAfter?: string | string[] }> {
  let target = targets.get(url);
  if (!target) {
    const u = new URL(url);
    target = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (targets.size >= 1000) targets.clear();
    targets.set(url, target);
  }
  return new Promise((resolve, reject) => {
    let status = 0;
    let retryAfter: string | string[] | undefined;
    let read = 0;
    let cut = false;
    agent.dispatch(
      { origin: target.origin, path: target.path, method: 'POST', body, headers },
      {
        // Its presence marks a handler of the current (controller-based) API.
        onRequestStart() {},
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          retryAfter = responseHeaders['retry-after'];
        },
        onResponseData(controller, chunk) {
          read += chunk.length;
          if (read > DUMP_LIMIT && !cut) {
            cut = true;
            controller.abort(new Error('response body too large'));
          }
        },
        onResponseEnd() {
          resolve({ status, retryAfter });
        },
        onResponseError(_controller, error) {
          if (cut) resolve({ status, retryAfter });
          else reject(error);
        },
      },
    );
  });
}

export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
