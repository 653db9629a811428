/** Scenario (b), sendText: `clients` closed-loop clients for `seconds` (bench/load.ts runLoad), gateway and bare Fastify. */
import { runLoad, type LoadResult } from '../load.js';
import { api } from '../suite/process.js';
import { BENCH_KEY, type Child } from './processes.js';
import type { Receiver } from './receiver.js';
import { cpuMicros } from './stats.js';

export const SEND_BODY = { number: '5511987654321', text: 'hello' };

export interface SendResult extends LoadResult {
  /** 'fan-out relay' is a reference (the ceiling of 1 request + 3 webhooks on this machine), not the floor. */
  target: 'gateway' | 'bare fastify' | 'fan-out relay';
  /** Webhook requests the receiver got from this instance during the load and until they stopped for 1 s. */
  webhooks: number;
  /** CPU of the measured process (all threads) per answered request, until its webhooks stopped: steadier than req/s. */
  cpuMicrosPerRequest: number;
  /** The same, of its main thread (event loop) only. */
  mainCpuMicrosPerRequest: number;
  /** The bench process's main thread (the load client), % of a core. */
  clientCpuPercent: number;
}

/** The size of the gateway's sendText answer, to give the floor the same. */
export async function answerBytes(url: string, name: string): Promise<number> {
  const res = await api(url, 'POST', `/message/sendText/${name}`, SEND_BODY);
  if (res.status !== 201) throw new Error(`sendText: ${res.status} ${JSON.stringify(res.body)}`);
  return JSON.stringify(res.body).length;
}

export async function runSend(target: SendResult['target'], child: Child, name: string, clients: number, seconds: number, receiver: Receiver): Promise<SendResult> {
  receiver.reset();
  const client0 = cpuMicros(process.pid, process.pid);
  const cpu0 = child.cpuMicros();
  const main0 = child.mainCpuMicros();
  const load = await runLoad({
    name: `sendText ${target}`,
    url: child.url,
    concurrency: clients,
    durationMs: seconds * 1000,
    request: () => ({ method: 'POST', path: `/message/sendText/${name}`, body: SEND_BODY }),
    headers: { apikey: BENCH_KEY },
    expectStatus: 201,
  });
  const clientCpuPercent = Math.round((cpuMicros(process.pid, process.pid) - client0) / 10_000 / load.seconds);
  await receiver.waitUntil(() => false, 1000);
  const cpuMicrosPerRequest = Math.round((child.cpuMicros() - cpu0) / Math.max(1, load.requests));
  const mainCpuMicrosPerRequest = Math.round((child.mainCpuMicros() - main0) / Math.max(1, load.requests));
  return { ...load, target, webhooks: receiver.arrivals.filter((a) => a.instance === name).length, cpuMicrosPerRequest, mainCpuMicrosPerRequest, clientCpuPercent };
}
