/**
 * Webhook receiver of the user-path benchmark, in a worker thread of the bench process (not the measured one):
 * node:http answering 200 as soon as a body has arrived, then parsing the JSON envelope and recording its event,
 * instance, message key id (messages.upsert), number of records (data arrays, messages.set), webhook-id and arrival
 * time on the process-wide monotonic clock (hrMs). Arrivals reach the parent in batches every 5 ms.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

/** Milliseconds on the monotonic clock shared by all threads of the process. */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export interface Arrival {
  at: number;
  event: string;
  instance: string;
  /** data.key.id of a single message record. */
  keyId?: string;
  /** Records in the body: the length of an array `data`, else 1. */
  records: number;
  hookId?: string;
}

type FromWorker = { type: 'ready'; url: string } | { type: 'batch'; arrivals: Arrival[] };

interface Envelope {
  event?: string;
  instance?: string;
  data?: { key?: { id?: string } } | unknown[];
}

function parse(body: string, at: number, hookId: string | undefined): Arrival {
  try {
    const e = JSON.parse(body) as Envelope;
    const records = Array.isArray(e.data) ? e.data.length : 1;
    const keyId = Array.isArray(e.data) ? undefined : e.data?.key?.id;
    return { at, event: e.event ?? '?', instance: e.instance ?? '?', keyId, records, hookId };
  } catch {
    return { at, event: 'unparsable', instance: '?', records: 0, hookId };
  }
}

function serve(port: NonNullable<typeof parentPort>): void {
  let batch: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = hrMs();
      res.writeHead(200, { 'content-length': '0' }).end();
      const hookId = req.headers['webhook-id'];
      batch.push(parse(Buffer.concat(chunks).toString(), at, typeof hookId === 'string' ? hookId : undefined));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  const flush = () => {
    if (!batch.length) return;
    port.postMessage({ type: 'batch', arrivals: batch } satisfies FromWorker);
    batch = [];
  };
  const timer = setInterval(flush, 5);
  port.on('message', (m: string) => {
    if (m !== 'close') return;
    clearInterval(timer);
    flush();
    server.closeAllConnections();
    server.close(() => port.close());
  });
  server.listen(0, '127.0.0.1', () => port.postMessage({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` } satisfies FromWorker));
}

if (!isMainThread && parentPort) serve(parentPort);

/** The parent side: starts the worker and keeps what arrived since the last reset(). */
export class Receiver {
  url = '';
  arrivals: Arrival[] = [];
  private worker: Worker | undefined;
  private waiters: Array<() => void> = [];

  async start(): Promise<void> {
    const worker = new Worker(new URL(import.meta.url));
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          this.url = m.url;
          resolve();
          return;
        }
        for (const a of m.arrivals) this.arrivals.push(a);
        for (const w of this.waiters.splice(0)) w();
      });
    });
  }

  reset(): void {
    this.arrivals = [];
  }

  /** Resolves when `done()` holds, or after `idleMs` without a new arrival; true when done. */
  async waitUntil(done: () => boolean, idleMs = 15_000): Promise<boolean> {
    let seen = -1;
    let since = hrMs();
    while (!done()) {
      if (this.arrivals.length !== seen) {
        seen = this.arrivals.length;
        since = hrMs();
      } else if (hrMs() - since > idleMs) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => (clearTimeout(t), resolve()));
      });
    }
    return true;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage('close');
    });
  }
}
