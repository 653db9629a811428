import { Pool } from 'undici';

export interface LoadResult {
  name: string;
  concurrency: number;
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

export interface LoadSpec {
  name: string;
  url: string;
  concurrency: number;
  durationMs: number;
  /** Builds request i (method, path, body). */
  request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: unknown };
  headers: Record<string, string>;
  expectStatus: number;
}

/** Closed-loop load: `concurrency` clients send back-to-back for `durationMs` over keep-alive connections. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(spec.url, { connections: spec.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + spec.durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const r = spec.request(counter++);
      const t0 = performance.now();
      try {
        const res = await pool.request({
          method: r.method,
          path: r.path,
          headers: { ...spec.headers, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
        });
        await res.body.dump();
        if (res.statusCode !== spec.expectStatus) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    name: spec.name,
    concurrency: spec.concurrency,
    requests: latencies.length,
    errors,
    seconds: round(seconds),
    throughput: round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
  };
}

export function printTable(results: LoadResult[]): void {
  const head = ['scenario', 'conc', 'requests', 'errors', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];
  printGrid(head, results.map((r) => [r.name, r.concurrency, r.requests, r.errors, r.throughput, r.p50, r.p95, r.p99, r.max].map(String)));
}

/** A plain text table: first column left-aligned, the others right-aligned. */
export function printGrid(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
