/**
 * The webhook receiver of the delivery benchmark, run in a worker thread so it does not compete with the gateway's
 * event loop: node:http on 127.0.0.1 answering 200 as soon as a body has arrived, recording the `webhook-id` header and
 * the arrival time (process-wide monotonic clock, comparable with the main thread's `hrMs()`). Arrivals are posted to
 * the parent in batches every few milliseconds.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort } from 'node:worker_threads';

export interface ReceiverBatch {
  type: 'batch';
  ids: string[];
  at: Float64Array;
  /** Requests without a webhook-id header (unsigned webhooks). */
  anonymous: number;
  bytes: number;
}

export type ReceiverMessage = { type: 'ready'; url: string } | ReceiverBatch;

/** Milliseconds on the monotonic clock shared by all threads of the process. */
export const hrMs = (): number => Number(process.hrtime.bigint()) / 1e6;

if (parentPort) {
  const port = parentPort;
  let ids: string[] = [];
  let at: number[] = [];
  let anonymous = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      const t = hrMs();
      bytes += n;
      const id = req.headers['webhook-id'];
      if (typeof id === 'string') {
        ids.push(id);
        at.push(t);
      } else anonymous++;
      res.writeHead(200, { 'content-length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  const flush = () => {
    if (!ids.length && !anonymous && !bytes) return;
    const batch: ReceiverBatch = { type: 'batch', ids, at: Float64Array.from(at), anonymous, bytes };
    ids = [];
    at = [];
    anonymous = 0;
    bytes = 0;
    port.postMessage(batch, [batch.at.buffer as ArrayBuffer]);
  };
  const timer = setInterval(flush, 5);
  port.on('message', (m: string) => {
    if (m === 'flush') flush();
    if (m === 'close') {
      clearInterval(timer);
      flush();
      server.closeAllConnections();
      server.close(() => port.close());
    }
  });
  server.listen(0, '127.0.0.1', () => port.postMessage({ type: 'ready', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies ReceiverMessage));
}
