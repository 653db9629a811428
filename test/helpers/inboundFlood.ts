/**
 * Inbound floods against a gateway (POST /sandbox/inbound/<instance>, one message after the other per chat) and what
 * the webhook receiver got from them (messages.upsert: arrivals, webhook-ids, per-chat order of first arrivals).
 */
import type { Received } from './receiver.js';

export interface FloodChat {
  instance: string;
  index: number;
  /** The contact's number (digits) and chat JID. */
  from: string;
  jid: string;
}

export interface FloodMessage {
  chat: FloodChat;
  seq: number;
  id: string;
  /** unsent: never answered 2xx nor tried; failed: tried, never answered 2xx; acked: answered 2xx. */
  state: 'unsent' | 'failed' | 'acked';
  /** When the last attempt was sent, and when its 2xx came. */
  sentAt: number;
  ackedAt: number;
  attempts: number;
  last?: string;
}

/** `chats` contacts (numbers 55119100000<nn>) writing `perChat` messages each to `instance`, ids `<prefix><chat>-<seq>`. */
export function floodPlan(instance: string, chats: number, perChat: number, prefix: string): FloodMessage[][] {
  return Array.from({ length: chats }, (_, c) => {
    const from = `55119100${String(c).padStart(5, '0')}`;
    const chat: FloodChat = { instance, index: c, from, jid: `${from}@s.whatsapp.net` };
    return Array.from({ length: perChat }, (_, seq) => ({ chat, seq, id: `${prefix}${c}-${seq}`, state: 'unsent' as const, sentAt: 0, ackedAt: 0, attempts: 0 }));
  });
}

export type PostOutcome =
  /** 2xx: the message is acknowledged. */
  | { kind: 'ack'; status: number; ms: number }
  /** Any other HTTP status (503 = the server holds back; retry the same id). */
  | { kind: 'status'; status: number; ms: number; body: string }
  /** No HTTP answer: connection refused or reset, or the client timeout. */
  | { kind: 'error'; ms: number; error: string };

/** One POST /sandbox/inbound of `m` (same body on every retry). Never throws. */
export async function postInbound(baseUrl: string, apikey: string, m: FloodMessage, timeoutMs: number): Promise<PostOutcome> {
  const t0 = Date.now();
  m.attempts++;
  m.sentAt = t0;
  try {
    const res = await fetch(`${baseUrl}/sandbox/inbound/${m.chat.instance}`, {
      method: 'POST',
      headers: { apikey, 'content-type': 'application/json' },
      body: JSON.stringify({ from: m.chat.from, pushName: `Contact ${m.chat.index}`, text: `chat ${m.chat.index} #${m.seq}`, id: m.id }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    const ms = Date.now() - t0;
    if (res.status >= 200 && res.status < 300) {
      m.state = 'acked';
      m.ackedAt = Date.now();
      m.last = `HTTP ${res.status}`;
      return { kind: 'ack', status: res.status, ms };
    }
    m.state = 'failed';
    m.last = `HTTP ${res.status} ${text.slice(0, 200)}`;
    return { kind: 'status', status: res.status, ms, body: text };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    m.state = 'failed';
    m.last = err.name === 'TimeoutError' ? `client timeout after ${timeoutMs} ms` : String(err.cause?.code ?? err.cause?.message ?? err.message);
    return { kind: 'error', ms: Date.now() - t0, error: m.last };
  }
}

export const webhookId = (r: Received) => String(r.headers['webhook-id']);

export interface UpsertReport {
  /** Every messages.upsert of the instance by message id: the webhook-id of each delivery, in arrival order. */
  byId: Map<string, string[]>;
  /** Per chat JID: message ids in the order of their first arrival. */
  firstArrivals: Map<string, string[]>;
  deliveries: number;
}

export function upsertReport(received: readonly Received[], instance: string): UpsertReport {
  const byId = new Map<string, string[]>();
  const firstArrivals = new Map<string, string[]>();
  let deliveries = 0;
  for (const r of received) {
    if (r.body?.event !== 'messages.upsert' || r.body.instance !== instance) continue;
    const key = r.body.data?.key;
    if (!key?.id) continue;
    deliveries++;
    const ids = byId.get(key.id);
    if (ids) {
      ids.push(webhookId(r));
      continue;
    }
    byId.set(key.id, [webhookId(r)]);
    const list = firstArrivals.get(key.remoteJid) ?? [];
    list.push(key.id);
    firstArrivals.set(key.remoteJid, list);
  }
  return { byId, firstArrivals, deliveries };
}

export interface DeliveryCheck {
  /** Expected ids that never arrived. */
  missing: string[];
  /** Per chat, the first arrivals (of the expected ids) that came after a later message of that chat. */
  outOfOrder: string[];
  /** Ids whose deliveries carry more than one webhook-id (a redelivery must keep it). */
  severalWebhookIds: string[];
  /** Deliveries beyond the first, of the expected ids. */
  duplicates: number;
}

/** Checks `expected` (messages in per-chat send order) against what arrived. */
export function checkDeliveries(report: UpsertReport, expected: readonly FloodMessage[]): DeliveryCheck {
  const missing: string[] = [];
  const severalWebhookIds: string[] = [];
  let duplicates = 0;
  const seqOf = new Map<string, FloodMessage>();
  for (const m of expected) {
    seqOf.set(m.id, m);
    const hooks = report.byId.get(m.id);
    if (!hooks) {
      missing.push(m.id);
      continue;
    }
    duplicates += hooks.length - 1;
    if (new Set(hooks).size !== 1) severalWebhookIds.push(`${m.id}: ${[...new Set(hooks)].join(', ')}`);
  }
  const outOfOrder: string[] = [];
  const jids = new Set(expected.map((m) => m.chat.jid));
  for (const jid of jids) {
    let last = -1;
    let lastId = '';
    for (const id of report.firstArrivals.get(jid) ?? []) {
      const m = seqOf.get(id);
      if (!m || m.chat.jid !== jid) continue;
      if (m.seq < last) outOfOrder.push(`${id} arrived after ${lastId}`);
      else {
        last = m.seq;
        lastId = id;
      }
    }
  }
  return { missing, outOfOrder, severalWebhookIds, duplicates };
}

/** A short, readable list: the first `n` items and how many more. */
export function some(items: readonly string[], n = 10): string {
  return items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} ... (${items.length - n} more)`;
}
