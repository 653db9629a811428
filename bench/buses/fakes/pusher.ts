import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PusherEvent {
  appId: string;
  channel: string;
  name: string;
  data: string;
}

/**
 * A local Pusher HTTP API: POST /apps/<id>/events and /apps/<id>/batch_events, each checked as Pusher does (auth_key,
 * auth_timestamp within 600 s, auth_version 1.0, body_md5, auth_signature = HMAC-SHA256 of "POST\n<path>\n<sorted
 * query>" with the app secret). Rejects with 401 otherwise, 413 over 10 KB of data.
 */
export class FakePusher {
  readonly events: PusherEvent[] = [];
  private server!: Server;
  host = '';

  constructor(private readonly apps: Record<string, { key: string; secret: string }>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const url = new URL(req.url ?? '/', 'http://x');
        const m = /^\/apps\/([^/]+)\/(events|batch_events)$/.exec(url.pathname);
        const end = (status: number, text: string) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(text);
        };
        const app = m && this.apps[m[1]!];
        if (!m || !app || req.method !== 'POST') return end(404, '{}');
        const q = Object.fromEntries(url.searchParams);
        const query = [...url.searchParams].filter(([k]) => k !== 'auth_signature').sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
        const expected = createHmac('sha256', app.secret).update(`POST\n${url.pathname}\n${query}`).digest('hex');
        const fresh = Math.abs(Date.now() / 1000 - Number(q.auth_timestamp)) < 600;
        if (q.auth_key !== app.key || q.auth_version !== '1.0' || !fresh || q.body_md5 !== createHash('md5').update(body).digest('hex') || q.auth_signature !== expected) return end(401, '{"error":"Invalid signature"}');
        const parsed = JSON.parse(body);
        const batch: Array<{ channel?: string; channels?: string[]; name: string; data: string }> = m[2] === 'batch_events' ? parsed.batch : [parsed];
        if (batch.some((e) => e.data.length > 10_240)) return end(413, '{"error":"Payload too large"}');
        for (const e of batch) for (const channel of e.channels ?? [e.channel!]) this.events.push({ appId: m[1]!, channel, name: e.name, data: e.data });
        end(200, '{}');
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
