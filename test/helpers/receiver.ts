import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  at: number;
  /** The sender's TCP port and a number for its connection (1, 2, ... in accept order): who sent it. */
  remotePort: number;
  connection: number;
}

export type Responder = (req: Received) => { status: number; delayMs?: number; headers?: Record<string, string> } | undefined;

/** A real webhook receiver on 127.0.0.1 that records every request; its answers can be scripted. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: Responder = () => ({ status: 200 });
  private server!: Server;
  private readonly connections = new WeakMap<object, number>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          /* keep raw */
        }
        let connection = this.connections.get(req.socket);
        if (connection === undefined) this.connections.set(req.socket, (connection = ++this.connectionCount));
        const entry: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body, at: Date.now(), remotePort: req.socket.remotePort ?? 0, connection };
        const answer = this.respond(entry) ?? { status: 200 };
        const finish = () => {
          if (answer.status >= 200 && answer.status < 300) this.received.push(entry);
          else this.rejected.push(entry);
          res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
          res.end('{}');
        };
        if (answer.delayMs) setTimeout(finish, answer.delayMs);
        else finish();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  readonly rejected: Received[] = [];
  private connectionCount = 0;

  events(name?: string): Received[] {
    return this.received.filter((r) => name === undefined || r.body?.event === name);
  }

  async waitForEvent(name: string, predicate: (r: Received) => boolean = () => true, timeoutMs = 5000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.received.find((r) => r.body?.event === name && predicate(r));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no ${name} webhook within ${timeoutMs} ms (got: ${this.received.map((r) => r.body?.event).join(', ')})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
