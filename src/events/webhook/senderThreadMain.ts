/**
 * Entry of the webhook sender thread (see senderThread.ts): owns an undici Agent, signs and POSTs the requests it is
 * given in batches, and answers with batches of results. Results that complete in the same event-loop turn go back in
 * one message (flushed by setImmediate, after the poll phase has handled every socket that was ready).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Agent } from 'undici';
import { sendWebhook } from './sender.js';
import { guardedLookup } from '../../security/addressGuard.js';
import type { SenderThreadOptions, ThreadRequest, ThreadResult, ToThread } from './senderThread.js';

const port = parentPort;
if (!port) throw new Error('senderThreadMain must run in a worker thread');
const opts = workerData as SenderThreadOptions;
// A webhook host that resolves to a link-local or cloud-metadata address when it is sent fails that delivery.
const agent = new Agent({ connections: opts.connections, keepAliveTimeout: 30_000, headersTimeout: opts.requestTimeoutMs, bodyTimeout: opts.requestTimeoutMs, connect: { lookup: guardedLookup({ allowPrivate: true }) } });

/** Parsed custom headers by their JSON text: a handful of distinct values are shared by all rows. */
const parsed = new Map<string, Record<string, string>>();
function headersOf(json: string | null): Record<string, string> | null {
  if (json === null) return null;
  let h = parsed.get(json);
  if (!h) {
    if (parsed.size >= 1000) parsed.clear();
    h = JSON.parse(json) as Record<string, string>;
    parsed.set(json, h);
  }
  return h;
}

let out: ThreadResult[] = [];
let scheduled = false;
function answer(r: ThreadResult): void {
  out.push(r);
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    const batch = out;
    out = [];
    port!.postMessage(batch);
  });
}

function run(req: ThreadRequest): void {
  let headers: Record<string, string> | null;
  try {
    headers = headersOf(req.headers);
  } catch (e) {
    answer({ key: req.key, ok: false, latencyMs: 0, error: `invalid webhook headers: ${(e as Error).message}` });
    return;
  }
  void sendWebhook(agent, { id: req.id, url: req.url, body: req.body, headers, secret: req.secret, extra: req.correlationId ? { 'x-correlation-id': req.correlationId } : undefined }).then((res) =>
    answer({ key: req.key, ok: res.ok, status: res.status, latencyMs: res.latencyMs, error: res.error, retryAfterMs: res.retryAfterMs }),
  );
}

port.on('message', (msg: ToThread) => {
  if (msg === 'close') {
    void agent.close().finally(() => port.close());
    return;
  }
  for (const req of msg) run(req);
});
