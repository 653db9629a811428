/**
 * Scenario (a), inbound flood, and (c), CPU per inbound message: `chats` closed loops (one POST at a time each) of
 * POST /sandbox/inbound/<name> spread over the instances, against the gateway or the relay floor; every acknowledged
 * (201) message must arrive at the receiver as messages.upsert, first arrivals of a chat in increasing seq.
 */
import { Pool } from 'undici';
import { BENCH_KEY, type Child } from './processes.js';
import { hrMs, type Receiver } from './receiver.js';
import { cpuMicros, perSecond, spread, type Spread } from './stats.js';

export interface FloodSpec {
  target: 'gateway' | 'relay';
  child: Child;
  receiver: Receiver;
  instances: string[];
  chats: number;
  messages: number;
}

export interface FloodResult {
  target: 'gateway' | 'relay';
  instances: number;
  chats: number;
  /** Messages answered 201. */
  acknowledged: number;
  delivered: number;
  missing: number;
  duplicates: number;
  /** First arrivals whose seq is lower than an earlier first arrival of the same chat. */
  outOfOrder: number;
  /** Arrivals of messages that were never acknowledged. */
  unacknowledged: number;
  /** 503 answers (each retried after a pause). */
  backPressure: number;
  errors: number;
  seconds: number;
  eventsPerSecond: number;
  /** Client side: POST sent -> answer. */
  post: Spread;
  /** Answer received by the client -> webhook arrival (negative when the webhook came first). */
  delivery: Spread;
  /** CPU of the measured process (all threads) per acknowledged message. */
  cpuMicrosPerMessage: number;
  /** CPU of its main thread (event loop) per acknowledged message. */
  mainCpuMicrosPerMessage: number;
  /** The bench process's main thread (the load client) and the whole bench process (client + receiver), % of a core. */
  clientCpuPercent: number;
  benchCpuPercent: number;
}

const RETRY_PAUSE_MS = 20;
const chatNumber = (c: number) => `55119${80_000_000 + c}`;
const idOf = (c: number, seq: number) => `C${c}S${seq}`;

interface Sent {
  /** key id -> when the 201 reached the client. */
  acked: Map<string, number>;
  postMs: number[];
  backPressure: number;
  errors: number;
  firstPost: number;
}

/** The client: one loop per chat, each waiting for the answer before the next POST. */
async function send(s: FloodSpec): Promise<Sent> {
  const pool = new Pool(s.child.url, { connections: s.chats, pipelining: 1 });
  const out: Sent = { acked: new Map(), postMs: [], backPressure: 0, errors: 0, firstPost: hrMs() };
  const chat = async (c: number) => {
    const name = s.instances[Math.floor((c * s.instances.length) / s.chats)]!;
    const count = Math.floor(s.messages / s.chats) + (c < s.messages % s.chats ? 1 : 0);
    for (let seq = 0; seq < count; seq++) {
      const id = idOf(c, seq);
      const body = JSON.stringify({ from: chatNumber(c), pushName: `Chat ${c}`, text: `m ${seq}`, id });
      for (;;) {
        const t0 = hrMs();
        const status = await pool
          .request({ method: 'POST', path: `/sandbox/inbound/${name}`, headers: { apikey: BENCH_KEY, 'content-type': 'application/json' }, body })
          .then(async (res) => (await res.body.dump(), res.statusCode), () => 0);
        const t1 = hrMs();
        if (status === 503) {
          out.backPressure++;
          await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
          continue;
        }
        if (status === 201) {
          out.acked.set(id, t1);
          out.postMs.push(t1 - t0);
        } else out.errors++;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: s.chats }, (_, c) => chat(c)));
  await pool.close();
  return out;
}

/** First arrival per acknowledged id, duplicates and order, from the receiver's arrivals (consumed incrementally). */
class Arrivals {
  readonly first = new Map<string, number>();
  duplicates = 0;
  outOfOrder = 0;
  unacknowledged = 0;
  last = 0;
  private next = 0;
  private readonly lastSeq = new Map<string, number>();

  constructor(private readonly receiver: Receiver, private readonly instances: Set<string>) {}

  consume(acked: Map<string, number>): void {
    const all = this.receiver.arrivals;
    for (; this.next < all.length; this.next++) {
      const a = all[this.next]!;
      if (a.event !== 'messages.upsert' || !a.keyId || !this.instances.has(a.instance)) continue;
      if (!acked.has(a.keyId)) this.unacknowledged++;
      if (this.first.has(a.keyId)) {
        this.duplicates++;
        continue;
      }
      this.first.set(a.keyId, a.at);
      this.last = Math.max(this.last, a.at);
      const [, chat, seq] = /^C(\d+)S(\d+)$/.exec(a.keyId) ?? [];
      if (chat === undefined) continue;
      if (Number(seq) < (this.lastSeq.get(chat) ?? -1)) this.outOfOrder++;
      else this.lastSeq.set(chat, Number(seq));
    }
  }
}

export async function runFlood(s: FloodSpec): Promise<FloodResult> {
  s.receiver.reset();
  const arrivals = new Arrivals(s.receiver, new Set(s.instances));
  const cpu0 = s.child.cpuMicros();
  const main0 = s.child.mainCpuMicros();
  const bench0 = process.cpuUsage();
  const client0 = cpuMicros(process.pid, process.pid);
  const sent = await send(s);
  const clientMicros = cpuMicros(process.pid, process.pid) - client0;
  const benchMicros = ((u) => u.user + u.system)(process.cpuUsage(bench0));
  const clientEnd = hrMs();
  const delivered = () => (arrivals.consume(sent.acked), [...sent.acked.keys()].every((id) => arrivals.first.has(id)));
  await s.receiver.waitUntil(delivered);
  const cpu = s.child.cpuMicros() - cpu0;
  const main = s.child.mainCpuMicros() - main0;
  await new Promise((r) => setTimeout(r, 300)); // late duplicates
  arrivals.consume(sent.acked);

  const deliveryMs: number[] = [];
  for (const [id, ackAt] of sent.acked) {
    const at = arrivals.first.get(id);
    if (at !== undefined) deliveryMs.push(at - ackAt);
  }
  const span = arrivals.last - sent.firstPost;
  const clientWall = clientEnd - sent.firstPost;
  return {
    target: s.target,
    instances: s.instances.length,
    chats: s.chats,
    acknowledged: sent.acked.size,
    delivered: deliveryMs.length,
    missing: sent.acked.size - deliveryMs.length,
    duplicates: arrivals.duplicates,
    outOfOrder: arrivals.outOfOrder,
    unacknowledged: arrivals.unacknowledged,
    backPressure: sent.backPressure,
    errors: sent.errors,
    seconds: Math.round(span) / 1000,
    eventsPerSecond: perSecond(deliveryMs.length, span),
    post: spread(sent.postMs),
    delivery: spread(deliveryMs),
    cpuMicrosPerMessage: Math.round(cpu / Math.max(1, sent.acked.size)),
    mainCpuMicrosPerMessage: Math.round(main / Math.max(1, sent.acked.size)),
    clientCpuPercent: Math.round(clientMicros / 10 / clientWall),
    benchCpuPercent: Math.round(benchMicros / 10 / clientWall),
  };
}
