import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SendResult } from './sender.js';

export interface SenderThreadOptions {
  /** Connections per origin of the thread's undici Agent. */
  connections: number;
  requestTimeoutMs: number;
}

/** One POST for the thread: what sendWebhook needs, with the custom headers still as their JSON text. */
export interface ThreadRequest {
  key: number;
  id: string;
  url: string;
  body: string;
  /** JSON of the instance webhook headers (`jwt_key` becomes a bearer token in the thread), or null. */
  headers: string | null;
  secret: string | null;
  correlationId: string | null;
}

export type ThreadSend = Omit<ThreadRequest, 'key'>;

export interface ThreadResult extends SendResult {
  key: number;
}

export type ToThread = ThreadRequest[] | 'close';

/**
 * The thread's entry: senderThreadMain.js next to this file when running the build (dist/). Under tsx or vitest this
 * file is the .ts source: the thread then registers tsx's loader and imports senderThreadMain.ts (`--import tsx` in a
 * worker's execArgv does not load .ts on Node 20).
 */
function entry(): { script: URL | string; eval: boolean } {
  const js = new URL('./senderThreadMain.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { script: js, eval: false };
  const ts = new URL('./senderThreadMain.ts', import.meta.url).href;
  // The ESM build of tsx's API (its CommonJS build registers a loader path that does not exist from a worker).
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const mjs = cjs.replace(/\.cjs$/, '.mjs');
  const api = pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
  const script = `import(${JSON.stringify(api)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(ts)}); })`;
  return { script, eval: true };
}

/**
 * Sends webhooks from one worker thread, off the caller's event loop: requests made in one tick go to the thread in one
 * message, results come back in batches. Never rejects: when the thread dies, its requests in flight resolve as network
 * errors (the caller retries them) and the next send starts a new thread.
 */
export class WebhookSenderThread {
  private worker?: Worker;
  private readonly pending = new Map<number, (r: SendResult) => void>();
  /** Keys posted to each thread and not answered yet. */
  private readonly posted = new Map<Worker, Set<number>>();
  private queue: ThreadRequest[] = [];
  private scheduled = false;
  private nextKey = 1;
  private closed = false;
  private referenced = false;
  /** Threads started; the first is started at construction so that its start-up is not on the first send. */
  starts = 0;

  constructor(private readonly opts: SenderThreadOptions, private readonly logger?: Logger) {
    this.spawn();
  }

  send(req: ThreadSend): Promise<SendResult> {
    if (this.closed) return Promise.resolve({ ok: false, latencyMs: 0, error: 'webhook sender closed' });
    const key = this.nextKey++;
    return new Promise<SendResult>((resolve) => {
      this.pending.set(key, resolve);
      this.queue.push({ ...req, key });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(this.post);
      }
    });
  }

  /** Requests in flight (sent to the thread, not answered yet). */
  get inFlight(): number {
    return this.pending.size;
  }

  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('close');
    const timer = setTimeout(() => void w.terminate(), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  private readonly post = (): void => {
    this.scheduled = false;
    if (!this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    if (this.closed) {
      for (const r of batch) this.settle(r.key, { ok: false, latencyMs: 0, error: 'webhook sender closed' });
      return;
    }
    const w = this.worker ?? this.spawn();
    const posted = this.posted.get(w)!;
    for (const r of batch) posted.add(r.key);
    this.ref(true);
    w.postMessage(batch satisfies ToThread);
  };

  private spawn(): Worker {
    const { script, eval: isEval } = entry();
    const w = new Worker(script, { eval: isEval, workerData: this.opts, name: 'webhook-sender' });
    this.starts++;
    this.worker = w;
    const posted = new Set<number>();
    this.posted.set(w, posted);
    this.referenced = true;
    this.ref(false);
    w.on('message', (results: ThreadResult[]) => {
      for (const r of results) {
        posted.delete(r.key);
        this.settle(r.key, r);
      }
      if (!this.pending.size) this.ref(false);
    });
    w.on('error', (err) => this.logger?.error({ err }, 'webhook sender thread failed'));
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      this.posted.delete(w);
      // Whatever it had not answered fails as a network error: the caller's retry policy sends it again.
      const lost = [...posted];
      for (const key of lost) this.settle(key, { ok: false, latencyMs: 0, error: `webhook sender thread exited (code ${code})` });
      if (!this.closed) this.logger?.error({ code, lost: lost.length }, 'webhook sender thread exited; restarting it on the next send');
    });
    return w;
  }

  private settle(key: number, r: SendResult): void {
    const resolve = this.pending.get(key);
    if (!resolve) return;
    this.pending.delete(key);
    resolve(r);
  }

  /** The thread keeps the process alive only while requests are in flight (like a busy socket). */
  private ref(on: boolean): void {
    if (on === this.referenced || !this.worker) return;
    this.referenced = on;
    if (on) this.worker.ref();
    else this.worker.unref();
  }
}
