import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WebhookSenderThread } from '../../src/events/webhook/senderThread.js';

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
}

describe('WebhookSenderThread', () => {
  let server: Server;
  let url: string;
  let seen: Seen[];
  let status: number;
  let hold: boolean;
  let held: Array<() => void>;
  let thread: WebhookSenderThread | undefined;

  beforeEach(async () => {
    seen = [];
    status = 200;
    hold = false;
    held = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body });
        const done = () => {
          if (status === 429) res.setHeader('retry-after', '7');
          res.statusCode = status;
          res.end('ok');
        };
        if (hold) held.push(done);
        else done();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?x=1`;
  });

  afterEach(async () => {
    await thread?.close();
    thread = undefined;
    held.forEach((d) => d());
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('signs, adds the jwt and correlation headers and posts a batch', async () => {
    thread = new WebhookSenderThread({ connections: 4, requestTimeoutMs: 5000 });
    const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        thread!.send({ id: `msg_${i}`, url, body: JSON.stringify({ i }), headers: JSON.stringify({ jwt_key: 'k', 'x-custom': 'c' }), secret, correlationId: i === 0 ? 'corr-0' : null }),
      ),
    );
    expect(results.every((r) => r.ok && r.status === 200 && typeof r.latencyMs === 'number')).toBe(true);
    expect(seen).toHaveLength(20);
    const first = seen.find((s) => s.headers['webhook-id'] === 'msg_0')!;
    expect(first.headers['x-correlation-id']).toBe('corr-0');
    expect(first.headers['x-custom']).toBe('c');
    expect(first.headers['jwt_key']).toBeUndefined();
    expect(String(first.headers.authorization)).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    const wh = new Webhook(secret);
    expect(wh.verify(first.body, first.headers as Record<string, string>)).toEqual({ i: 0 });
    expect(thread.inFlight).toBe(0);
  });

  it('reports statuses, Retry-After and network errors', async () => {
    thread = new WebhookSenderThread({ connections: 4, requestTimeoutMs: 5000 });
    status = 429;
    const r = await thread.send({ id: 'a', url, body: '{}', headers: null, secret: null, correlationId: null });
    expect(r).toMatchObject({ ok: false, status: 429, error: 'HTTP 429', retryAfterMs: 7000 });
    const down = await thread.send({ id: 'b', url: 'http://127.0.0.1:1/x', body: '{}', headers: null, secret: null, correlationId: null });
    expect(down.ok).toBe(false);
    expect(down.status).toBeUndefined();
    expect(down.error).toBeTruthy();
  });

  it('fails the requests in flight when the thread dies, then restarts it', async () => {
    thread = new WebhookSenderThread({ connections: 4, requestTimeoutMs: 5000 });
    hold = true;
    const inFlight = Array.from({ length: 3 }, (_, i) => thread!.send({ id: `h${i}`, url, body: '{}', headers: null, secret: null, correlationId: null }));
    while (held.length < 3) await new Promise((r) => setTimeout(r, 10));
    expect(thread.inFlight).toBe(3);
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const lost = await Promise.all(inFlight);
    expect(lost.every((r) => !r.ok && r.status === undefined && /thread exited/.test(r.error ?? ''))).toBe(true);
    expect(thread.inFlight).toBe(0);
    hold = false;
    const again = await thread.send({ id: 'after', url, body: '{}', headers: null, secret: null, correlationId: null });
    expect(again).toMatchObject({ ok: true, status: 200 });
    expect(thread.starts).toBe(2);
  });

  it('answers closed after close()', async () => {
    thread = new WebhookSenderThread({ connections: 1, requestTimeoutMs: 5000 });
    await thread.close();
    const r = await thread.send({ id: 'x', url, body: '{}', headers: null, secret: null, correlationId: null });
    expect(r).toMatchObject({ ok: false, error: 'webhook sender closed' });
  });
});
