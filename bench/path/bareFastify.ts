/**
 * Floor of sendText, run as its own process: one bare Fastify route, POST /message/sendText/:instanceName, that parses
 * the JSON body (Fastify's default parser, no schema) and answers 201 with a JSON body of about ANSWER_BYTES, shaped
 * like the gateway's answer. No auth, storage, channel or events. Env: PORT, ANSWER_BYTES (600).
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

interface SendBody {
  number: string;
  text: string;
}

const answerBytes = Number(process.env.ANSWER_BYTES ?? 600);

function answer(body: SendBody, padding = '') {
  return {
    key: { remoteJid: `${body.number}@s.whatsapp.net`, fromMe: true, id: randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase() },
    pushName: '',
    status: 'PENDING',
    message: { conversation: body.text },
    messageType: 'conversation',
    messageTimestamp: Math.floor(Date.now() / 1000),
    instanceId: randomUUID(),
    source: 'unknown',
    padding,
  };
}
/** Padding that brings the answer to about ANSWER_BYTES, computed once. */
const padding = 'x'.repeat(Math.max(0, answerBytes - JSON.stringify(answer({ number: '5511987654321', text: 'hello' })).length));

const app = Fastify({ logger: false });
app.get('/', async () => ({ status: 200 }));
app.post<{ Body: SendBody }>('/message/sendText/:instanceName', async (request, reply) => {
  reply.status(201);
  return answer(request.body, padding);
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().finally(() => process.exit(0)));
