/**
 * Floor of the inbound flood, run as its own process: a do-nothing relay. It accepts POST /sandbox/inbound/<name>
 * like the gateway, answers 201 with a small JSON body, and forwards an envelope of about the size of the gateway's
 * messages.upsert webhook to RECEIVER_URL over keep-alive (undici Pool of CONNECTIONS), asynchronously: no storage, no
 * retries, no order guarantee. Env: PORT, RECEIVER_URL, CONNECTIONS (8).
 *
 * It also answers POST /message/sendText/<name> as a do-nothing fan-out relay, the physical ceiling of sendText with a
 * webhook for every event on this machine (a reference next to the bare Fastify floor, not a replacement for it): it
 * forwards FANOUT (3) envelopes of the same shape (send.message, then two messages.update, as the gateway sends for one
 * sendText) and answers 201 with about ANSWER_BYTES once the receiver has taken all of them, so that its rate is one it
 * sustains (no queue of forwards growing behind the answers). Env: FANOUT (3), ANSWER_BYTES (300).
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

function envelope(instance: string, m: Inbound, event = 'messages.upsert', fromMe = false): string {
  const remoteJid = `${m.from}@s.whatsapp.net`;
  return JSON.stringify({
    event,
    instance,
    data: {
      key: { remoteJid, fromMe, id: m.id },
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

function forward(body: string): Promise<void> {
  return pool.request({ method: 'POST', path: receiver.pathname, headers: { 'content-type': 'application/json', 'webhook-id': `msg_${randomUUID()}` }, body }).then(
    async (res) => void (await res.body.dump()),
    () => void failures++,
  );
}

const FANOUT_EVENTS = ['send.message', 'messages.update', 'messages.update'];
const fanout = Number(process.env.FANOUT ?? 3);
const answerPadding = 'x'.repeat(Math.max(0, Number(process.env.ANSWER_BYTES ?? 300) - 200));
let sent = 0;

function sendText(req: IncomingMessage, res: ServerResponse, instance: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let m: { number: string; text: string };
    try {
      m = JSON.parse(Buffer.concat(chunks).toString()) as { number: string; text: string };
    } catch {
      res.writeHead(400).end();
      return;
    }
    const id = `3EB0${(++sent).toString(16).toUpperCase().padStart(16, '0')}`;
    const forwards = Array.from({ length: fanout }, (_, i) => forward(envelope(instance, { from: m.number, text: m.text, id }, FANOUT_EVENTS[i % FANOUT_EVENTS.length], true)));
    void Promise.all(forwards).then(() => {
      const answer = JSON.stringify({ key: { remoteJid: `${m.number}@s.whatsapp.net`, fromMe: true, id }, status: 'PENDING', message: { conversation: m.text }, padding: answerPadding });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
    });
  });
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
    void forward(envelope(instance, m));
  });
}

const server = createServer((req, res) => {
  const match = req.method === 'POST' ? /^\/sandbox\/inbound\/([^/?]+)/.exec(req.url ?? '') : null;
  if (match) return inbound(req, res, decodeURIComponent(match[1]!));
  const send = req.method === 'POST' ? /^\/message\/sendText\/([^/?]+)/.exec(req.url ?? '') : null;
  if (send) return sendText(req, res, decodeURIComponent(send[1]!));
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
