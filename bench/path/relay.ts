/**
 * Floor of the inbound flood, run as its own process: a do-nothing relay. It accepts POST /sandbox/inbound/<name>
 * like the gateway, answers 201 with a small JSON body, and forwards an envelope of about the size of the gateway's
 * messages.upsert webhook to RECEIVER_URL over keep-alive (undici Pool of CONNECTIONS), asynchronously: no storage, no
 * retries, no order guarantee. Env: PORT, RECEIVER_URL, CONNECTIONS (8).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'undici';

interface Inbound {
  from: string;
  pushName?: string;
  text: string;
  id: string;
}

const receiver = new URL(process.env.RECEIVER_URL ?? 'http://127.0.0.1:9999/hook');
const pool = new Pool(receiver.origin, { connections: Number(process.env.CONNECTIONS ?? 8), pipelining: 1 });
let failures = 0;

function envelope(instance: string, m: Inbound): string {
  const remoteJid = `${m.from}@s.whatsapp.net`;
  return JSON.stringify({
    event: 'messages.upsert',
    instance,
    data: {
      key: { remoteJid, fromMe: false, id: m.id },
      pushName: m.pushName ?? null,
      status: 'DELIVERY_ACK',
      message: { conversation: m.text },
      messageType: 'conversation',
      messageTimestamp: Math.floor(Date.now() / 1000),
      instanceId: '00000000-0000-4000-8000-000000000000',
      source: 'android',
    },
    destination: receiver.href,
    date_time: new Date().toISOString(),
    sender: '5511900000001@s.whatsapp.net',
    server_url: 'http://127.0.0.1',
    apikey: null,
  });
}

function forward(body: string): void {
  pool.request({ method: 'POST', path: receiver.pathname, headers: { 'content-type': 'application/json', 'webhook-id': `msg_${randomUUID()}` }, body }).then(
    (res) => res.body.dump(),
    () => failures++,
  );
}

function inbound(req: IncomingMessage, res: ServerResponse, instance: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let m: Inbound;
    try {
      m = JSON.parse(Buffer.concat(chunks).toString()) as Inbound;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const answer = JSON.stringify({ key: { remoteJid: `${m.from}@s.whatsapp.net`, fromMe: false, id: m.id }, pushName: m.pushName ?? null, message: { conversation: m.text } });
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    forward(envelope(instance, m));
  });
}

const server = createServer((req, res) => {
  const match = req.method === 'POST' ? /^\/sandbox\/inbound\/([^/?]+)/.exec(req.url ?? '') : null;
  if (match) return inbound(req, res, decodeURIComponent(match[1]!));
  req.resume();
  res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ failures }));
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void pool.close().finally(() => process.exit(0));
});
