/**
 * Scenario (d), a history batch: POST /sandbox/history/<name> {messages: [...N]} answers 201 once the batch is stored
 * and emits messages.set webhooks whose data is an array of message records. Measures the time to the 201 and the
 * time until the receiver has seen N records. A 404 means the route does not exist in that build.
 */
import { Agent, request } from 'undici';
import { BENCH_KEY, type Child } from './processes.js';
import { hrMs, type Receiver } from './receiver.js';
import { perSecond } from './stats.js';

export interface HistoryResult {
  available: boolean;
  status: number;
  messages: number;
  answerMs: number;
  /** Messages stored per second, to the 201. */
  messagesPerSecond: number;
  /** From the POST until the receiver had seen every record (0 when it never did). */
  allRecordsMs: number;
  records: number;
  events: number;
}

function batch(n: number, chats: number) {
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: n }, (_, i) => ({ from: `55117${80_000_000 + (i % chats)}`, pushName: `Contact ${i % chats}`, text: `history ${i}`, id: `H${i}`, timestamp: now - n + i }));
}

export async function runHistory(child: Child, name: string, n: number, receiver: Receiver): Promise<HistoryResult> {
  receiver.reset();
  const body = JSON.stringify({ messages: batch(n, 100) });
  const dispatcher = new Agent({ headersTimeout: 600_000, bodyTimeout: 600_000 });
  const t0 = hrMs();
  const res = await request(`${child.url}/sandbox/history/${name}`, { method: 'POST', headers: { apikey: BENCH_KEY, 'content-type': 'application/json' }, body, dispatcher });
  const answerMs = hrMs() - t0;
  const text = await res.body.text();
  await dispatcher.close();
  const base = { status: res.statusCode, messages: n, answerMs: Math.round(answerMs), messagesPerSecond: 0, allRecordsMs: 0, records: 0, events: 0 };
  if (res.statusCode === 404) return { ...base, available: false };
  if (res.statusCode !== 201) throw new Error(`history: ${res.statusCode} ${text.slice(0, 300)}`);
  const sets = () => receiver.arrivals.filter((a) => a.event === 'messages.set' && a.instance === name);
  const records = () => sets().reduce((sum, a) => sum + a.records, 0);
  const complete = await receiver.waitUntil(() => records() >= n, 30_000);
  const all = sets();
  return {
    ...base,
    available: true,
    messagesPerSecond: perSecond(n, answerMs),
    allRecordsMs: complete ? Math.round(all.reduce((last, a) => Math.max(last, a.at), 0) - t0) : 0,
    records: records(),
    events: all.length,
  };
}
