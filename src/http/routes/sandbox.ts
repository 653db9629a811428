import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, Obj } from '../schemas.js';
import { badRequest, instanceMissing } from '../../domain/errors.js';
import { SandboxChannel } from '../../channels/sandbox/channel.js';
import { ChannelError } from '../../channels/errors.js';
import type { LiveInstance } from '../../domain/registry.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import { sourceOfId } from '../../domain/messageContent.js';
import type { AckStatus } from '../../domain/types.js';

const Phone = Type.String({ pattern: '^\\d{8,15}$', description: 'digits only' });
const ScanBody = Obj({ number: Phone, profileName: Type.Optional(Type.String({ maxLength: 255 })) });
const InboundBody = Obj({
  from: Phone,
  pushName: Type.Optional(Type.String({ maxLength: 255 })),
  message: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Any WhatsApp message object: conversation, extendedTextMessage, imageMessage...' })),
  text: Type.Optional(Type.String({ description: 'Shortcut for {"conversation": text}' })),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  timestamp: Type.Optional(Type.Integer({ minimum: 0 })),
  groupJid: Type.Optional(Type.String({ pattern: '^[\\d-]+@g\\.us$' })),
});
const StatusBody = Obj({ keyId: Type.String({ minLength: 1 }), status: Type.String({ enum: ['DELIVERY_ACK', 'READ', 'PLAYED'] }) });
const DisconnectBody = Obj({ statusReason: Type.Integer({ enum: [401, 403, 408, 428, 440, 500, 515] }) });

type P = { instanceName: string };
const tags = ['sandbox'];

/** Control routes of the simulated network: the phone scans, contacts write and read, the connection drops. */
export function sandboxRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const sandboxOf = (request: FastifyRequest): { live: LiveInstance; channel: SandboxChannel } => {
    const name = (request.params as P).instanceName;
    const live = gateway.registry.get(name);
    if (!live) throw instanceMissing(name);
    if (!(live.channel instanceof SandboxChannel)) throw badRequest(`The "${name}" instance is not a SANDBOX instance`);
    return { live, channel: live.channel };
  };
  const control = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof ChannelError) throw badRequest(e.message);
      throw e;
    }
  };
  const base = (summary: string, body: unknown, ok: number) => ({ onRequest: guards.global, schema: { tags, summary, params: InstanceParams, body, response: { [ok]: Loose(), ...errorResponses } } }) as never;

  app.post<{ Params: P; Body: Static<typeof ScanBody> }>('/sandbox/scan/:instanceName', base('The phone scans the QR code: the instance opens as this number', ScanBody, 200), async (request) => {
    const { live, channel } = sandboxOf(request);
    control(() => channel.scan(request.body.number, request.body.profileName));
    await live.queue.idle();
    return { instance: { instanceName: live.name, state: channel.state, wuid: live.instance.ownerJid } };
  });

  app.post<{ Params: P; Body: Static<typeof InboundBody> }>('/sandbox/inbound/:instanceName', base('A contact sends a message to the instance', InboundBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const message = b.message ?? (b.text !== undefined ? { conversation: b.text } : undefined);
    if (!message || !Object.keys(message).length) throw badRequest('instance requires property "message" or "text"');
    const id = b.id ?? messageKeyId();
    const from = `${b.from}@s.whatsapp.net`;
    const key = b.groupJid ? { remoteJid: b.groupJid, fromMe: false, id, participant: from } : { remoteJid: from, fromMe: false, id };
    const inbound = { key, pushName: b.pushName ?? null, message, messageTimestamp: b.timestamp ?? nowSeconds(), source: sourceOfId(id) };
    control(() => channel.inbound(inbound));
    await live.queue.idle();
    reply.status(201);
    return inbound;
  });

  app.post<{ Params: P; Body: Static<typeof StatusBody> }>('/sandbox/status/:instanceName', base("The contact's phone acknowledges a message the instance sent", StatusBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const sent = await gateway.repos.messages.findByKeyId(live.id, request.body.keyId);
    if (!sent || !sent.key.fromMe) throw badRequest(`Message "${request.body.keyId}" sent by this instance was not found`);
    control(() => channel.contactAck(sent.key, request.body.status as AckStatus));
    await live.queue.idle();
    reply.status(201);
    return { keyId: sent.key.id, remoteJid: sent.key.remoteJid, status: request.body.status };
  });

  app.post<{ Params: P; Body: Static<typeof DisconnectBody> }>('/sandbox/disconnect/:instanceName', base('The connection drops with a WhatsApp disconnect reason', DisconnectBody, 200), async (request) => {
    const { live, channel } = sandboxOf(request);
    control(() => channel.drop(request.body.statusReason));
    await live.queue.idle();
    await new Promise((r) => setImmediate(r));
    await live.queue.idle();
    return { instance: { instanceName: live.name, state: channel.state } };
  });
}
