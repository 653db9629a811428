/**
 * sendMedia with a 1 MB JPEG by URL: `clients` closed loops (one request at a time each) of POST /message/sendMedia
 * against the built gateway (SQLite, disk store), the image served by a local HTTP server of this process. Each send
 * downloads the image through the address guard, reads its dimensions and makes a thumbnail, stores it, uploads it to
 * the sandbox vault and sends it to a second sandbox instance, whose gateway downloads and stores it too.
 * Floor, in the same run: the same client, same loops, downloading the same 1 MB from the same server.
 * Env: MEDIA_BENCH_REQUESTS (per concurrency, default 240), MEDIA_BENCH_CLIENTS (comma list, default 8,16).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import sharp from 'sharp';
import { BENCH_KEY, DEFAULT_SERVER, startGateway, type Child } from '../path/processes.js';
import { api } from '../suite/process.js';
import { hrMs } from '../path/receiver.js';
import { perSecond, spread, type Spread } from '../path/stats.js';

interface Run {
  target: 'sendMedia' | 'floor (download)';
  clients: number;
  requests: number;
  failed: number;
  perSecond: number;
  latencyMs: Spread;
  peakRssMb?: number;
}

const requests = Number(process.env.MEDIA_BENCH_REQUESTS ?? 240);
const clientCounts = (process.env.MEDIA_BENCH_CLIENTS ?? '8,16').split(',').map(Number);

/** A JPEG of about 1 MB: noise compresses badly, so a modest picture reaches the size. */
async function oneMegabyteJpeg(): Promise<Buffer> {
  let side = 900;
  for (;;) {
    const jpeg = await sharp({ create: { width: side, height: side, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg({ quality: 85 }).toBuffer();
    if (jpeg.length >= 1_000_000) return jpeg;
    side = Math.ceil(side * Math.sqrt(1_050_000 / jpeg.length));
  }
}

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : 0;
};

async function closedLoops(clients: number, total: number, one: () => Promise<boolean>): Promise<{ ms: number; latencies: number[]; failed: number }> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const started = hrMs();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < total) {
      next++;
      const t = hrMs();
      if (!(await one())) failed++;
      latencies.push(hrMs() - t);
    }
  }));
  return { ms: hrMs() - started, latencies, failed };
}

async function main(): Promise<void> {
  const image = await oneMegabyteJpeg();
  const files = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': image.length }).end(image));
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  const imageUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}/photo.jpg`;
  const server = process.env.GATEWAY_SERVER ?? DEFAULT_SERVER;
  const gateway: Child = await startGateway(server);
  const runs: Run[] = [];
  try {
    for (const [name, number] of [['sender', '5511977770001'], ['peer', '5511977770002']] as const) {
      const created = await api(gateway.url, 'POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true });
      if (created.status !== 201) throw new Error(`create ${name}: ${created.status}`);
      await api(gateway.url, 'POST', `/sandbox/scan/${name}`, { number });
    }
    const gw = new Pool(gateway.url, { connections: 32 });
    const src = new Pool(new URL(imageUrl).origin, { connections: 32 });
    const body = JSON.stringify({ number: '5511977770002', mediatype: 'image', media: imageUrl, caption: 'bench' });
    const sendOne = async () => {
      const res = await gw.request({ method: 'POST', path: '/message/sendMedia/sender', headers: { apikey: BENCH_KEY, 'content-type': 'application/json' }, body });
      await res.body.dump();
      return res.statusCode === 201;
    };
    const downloadOne = async () => {
      const res = await src.request({ method: 'GET', path: '/photo.jpg' });
      const bytes = (await res.body.arrayBuffer()).byteLength;
      return res.statusCode === 200 && bytes === image.length;
    };
    // Warm-up: JIT, sharp's thread pool, the database file.
    await closedLoops(4, 16, sendOne);
    for (const clients of clientCounts) {
      const floor = await closedLoops(clients, requests, downloadOne);
      runs.push({ target: 'floor (download)', clients, requests, failed: floor.failed, perSecond: perSecond(requests, floor.ms), latencyMs: spread(floor.latencies) });
      let peak = rssMb(gateway.pid);
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(gateway.pid))), 50);
      const sent = await closedLoops(clients, requests, sendOne);
      clearInterval(sampler);
      runs.push({ target: 'sendMedia', clients, requests, failed: sent.failed, perSecond: perSecond(requests, sent.ms), latencyMs: spread(sent.latencies), peakRssMb: Math.max(peak, rssMb(gateway.pid)) });
    }
    await gw.close();
    await src.close();
  } finally {
    await gateway.stop();
    files.close();
  }
  console.log(JSON.stringify({ imageBytes: image.length, runs }, null, 2));
  console.log('\n| target | clients | requests | failed | req/s | p50 ms | p95 ms | p99 ms | peak RSS MB |\n|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) console.log(`| ${r.target} | ${r.clients} | ${r.requests} | ${r.failed} | ${r.perSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.peakRssMb ?? '—'} |`);
}

await main();
