import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PlatformRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: any;
}

export type PlatformAnswer = { status?: number; json?: unknown; text?: string; sse?: unknown[]; contentType?: string; body?: Buffer; delayMs?: number };
export type Handler = (req: PlatformRequest) => PlatformAnswer | Promise<PlatformAnswer>;

/** A local stand-in for a bot platform's HTTP API on 127.0.0.1: routes by "METHOD /path" (regex), records every request. */
export class FakePlatform {
  readonly requests: PlatformRequest[] = [];
  private readonly routes: Array<{ method: string; path: RegExp; handler: Handler }> = [];
  private server!: Server;
  url = '';

  on(method: string, path: string | RegExp, handler: Handler): this {
    this.routes.push({ method, path: typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path, handler });
    return this;
  }

  /** Requests to paths matching `path`. */
  calls(path: string | RegExp): PlatformRequest[] {
    return this.requests.filter((r) => (typeof path === 'string' ? r.path.split('?')[0] === path : path.test(r.path)));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks);
        let body: unknown = raw.toString('utf8');
        if (String(req.headers['content-type'] ?? '').includes('application/json')) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            /* keep text */
          }
        }
        const entry: PlatformRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, body };
        this.requests.push(entry);
        const route = this.routes.find((r) => r.method === entry.method && r.path.test(entry.path.split('?')[0]!));
        const answer: PlatformAnswer = route ? await route.handler(entry) : { status: 404, json: { error: 'not found' } };
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        if (answer.sse) {
          res.writeHead(answer.status ?? 200, { 'content-type': 'text/event-stream' });
          for (const e of answer.sse) res.write(`data: ${JSON.stringify(e)}\n\n`);
          return res.end();
        }
        if (answer.body) {
          res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'application/octet-stream' });
          return res.end(answer.body);
        }
        if (answer.text !== undefined) {
          res.writeHead(answer.status ?? 200, { 'content-type': answer.contentType ?? 'text/plain' });
          return res.end(answer.text);
        }
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.json ?? {}));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
