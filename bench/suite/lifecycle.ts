import { percentile } from '../load.js';
import { api, pool, type ServerProcess } from './process.js';

export interface TimingResult {
  name: string;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  totalMs: number;
}

function summarize(name: string, samples: number[], totalMs: number): TimingResult {
  const s = [...samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 100) / 100;
  return { name, count: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s.at(-1) ?? 0), totalMs: Math.round(totalMs) };
}

/** Instance creation to QR, and QR scan to open, for `count` instances `concurrency` at a time (seed 003: 50 simultaneous scans). */
export async function lifecycle(server: ServerProcess, prefix: string, count: number, concurrency: number): Promise<TimingResult[]> {
  const toQr: number[] = [];
  const toOpen: number[] = [];
  const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
  const t0 = performance.now();
  await pool(names, concurrency, async (name) => {
    const s = performance.now();
    const res = await api(server.url, 'POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true });
    if (res.status !== 201 || !res.body.qrcode?.base64) throw new Error(`create ${name}: ${res.status}`);
    toQr.push(performance.now() - s);
  });
  const createdMs = performance.now() - t0;
  const t1 = performance.now();
  await pool(names, concurrency, async (name, i) => {
    const s = performance.now();
    const res = await api(server.url, 'POST', `/sandbox/scan/${name}`, { number: `55118${String(i).padStart(8, '0')}` });
    if (res.status !== 200 || res.body.instance.state !== 'open') throw new Error(`scan ${name}: ${res.status}`);
    toOpen.push(performance.now() - s);
  });
  return [summarize(`create -> QR (${concurrency} at once)`, toQr, createdMs), summarize(`scan -> open (${concurrency} at once)`, toOpen, performance.now() - t1)];
}
