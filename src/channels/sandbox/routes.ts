import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../driver.js';
import type { SandboxDriver } from './driver.js';
import type { SandboxChannel } from './channel.js';
import { errorResponses, InstanceParams, Loose, Obj } from '../../http/schemas.js';
import { badRequest, instanceMissing } from '../../domain/errors.js';
import type { InboundMessage } from '../events.js';
import type { LiveInstance } from '../../domain/registry.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import { sourceOfId } from '../../domain/messageContent.js';
import type { AckStatus } from '../../domain/types.js';

const Phone = Type.String({ pattern: '^\\d{8,15}$', description: 'digits only' });
const ScanBody = Obj({ number: Phone, profileName: Type.Optional(Type.String({ maxLength: 255 })) });
const MessageFields = {
  from: Phone,
  pushName: Type.Optional(Type.String({ maxLength: 255 })),
  message: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Any WhatsApp message object: conversation, extendedTextMessage, imageMessage...' })),
  text: Type.Optional(Type.String({ description: 'Shortcut for {"conversation": text}' })),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  timestamp: Type.Optional(Type.Integer({ minimum: 0 })),
  groupJid: Type.Optional(Type.String({ pattern: '^[\\d-]+@g\\.us$' })),
};
const InboundBody = Obj({ ...MessageFields, fromMe: Type.Optional(Type.Boolean({ description: 'Written by the phone itself (its owner), in the chat with `from`' })) });
const HistoryBody = Obj({
  messages: Type.Array(Obj({ ...MessageFields, fromMe: Type.Optional(Type.Boolean({ description: 'Sent by the phone itself (then `from` is the chat)' })) }), { minItems: 1, maxItems: 20_000 }),
  progress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, description: 'History sync progress in percent; 100 marks the last batch' })),
});
const StatusBody = Obj({ keyId: Type.String({ minLength: 1 }), status: Type.String({ enum: ['DELIVERY_ACK', 'READ', 'PLAYED'] }) });
const DisconnectBody = Obj({ statusReason: Type.Integer({ enum: [401, 403, 408, 428, 440, 500, 515] }) });

type P = { instanceName: string };
type MessageInput = Static<typeof InboundBody> & { fromMe?: boolean };
const tags = ['sandbox'];

/** The live instance and sandbox channel a control route's `:instanceName` names. */
export function sandboxResolver(gateway: DriverRouteContext['gateway'], driver: SandboxDriver) {
  return (request: FastifyRequest): { live: LiveInstance; channel: SandboxChannel } => {
    const name = (request.params as P).instanceName;
    const live = gateway.registry.get(name);
    if (!live) throw instanceMissing(name);
    const channel = live.driver === driver ? driver.channelOf(live.id) : undefined;
    if (!channel) throw badRequest(`The "${name}" instance is not a SANDBOX instance`);
    return { live, channel };
  };
}

/** Route options of a control route: global key only (the simulated phone's side), one body schema, OpenAPI tag `sandbox`. */
export function controlRoute(guards: DriverRouteContext['guards']) {
  return (summary: string, body: unknown, ok: number) => ({ onRequest: guards.global, schema: { tags, summary, params: InstanceParams, body, response: { [ok]: Loose(), ...errorResponses } } }) as never;
}

/** Control routes of the simulated network: the phone scans, contacts write and read, history syncs, the connection drops. */
export function sandboxRoutes(app: FastifyInstance, { gateway, guards }: DriverRouteContext, driver: SandboxDriver): void {
  const sandboxOf = sandboxResolver(gateway, driver);
  const base = controlRoute(guards);

  app.post<{ Params: P; Body: Static<typeof ScanBody> }>('/sandbox/scan/:instanceName', base('The phone scans the QR code: the instance opens as this number', ScanBody, 200), async (request) => {
    const { live, channel } = sandboxOf(request);
    await gateway.instances.channelCall(() => channel.scan(request.body.number, request.body.profileName));
    await gateway.instances.idle(live);
    return { instance: { instanceName: live.name, state: channel.state, wuid: live.instance.ownerJid } };
  });

  app.post<{ Params: P; Body: Static<typeof InboundBody> }>('/sandbox/inbound/:instanceName', base('A contact sends a message to the instance (201 once it is stored)', InboundBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const inbound = inboundOf(request.body);
    await gateway.instances.channelCall(() => channel.inbound('live', [inbound]));
    reply.status(201);
    return inbound;
  });

  app.post<{ Params: P; Body: Static<typeof HistoryBody> }>('/sandbox/history/:instanceName', base("The phone syncs its history: one batch of past messages (201 once stored; `messages.set` events)", HistoryBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const messages = request.body.messages.map(inboundOf);
    await gateway.instances.channelCall(() => channel.inbound('history', messages, request.body.progress));
    reply.status(201);
    return { count: messages.length };
  });

  app.post<{ Params: P; Body: Static<typeof StatusBody> }>('/sandbox/status/:instanceName', base("The contact's phone acknowledges a message the instance sent", StatusBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const sent = await gateway.repos.messages.findByKeyId(live.id, request.body.keyId);
    if (!sent || !sent.key.fromMe) throw badRequest(`Message "${request.body.keyId}" sent by this instance was not found`);
    await gateway.instances.channelCall(() => channel.contactAck(sent.key, request.body.status as AckStatus));
    reply.status(201);
    return { keyId: sent.key.id, remoteJid: sent.key.remoteJid, status: request.body.status };
  });

  app.post<{ Params: P; Body: Static<typeof DisconnectBody> }>('/sandbox/disconnect/:instanceName', base('The connection drops with a WhatsApp disconnect reason', DisconnectBody, 200), async (request) => {
    const { live, channel } = sandboxOf(request);
    await gateway.instances.channelCall(() => channel.drop(request.body.statusReason));
    await gateway.instances.idle(live);
    await new Promise((r) => setImmediate(r));
    await gateway.instances.idle(live);
    return { instance: { instanceName: live.name, state: channel.state } };
  });
}

export function inboundOf(b: MessageInput): InboundMessage {
  const message = b.message ?? (b.text !== undefined ? { conversation: b.text } : undefined);
  if (!message || !Object.keys(message).length) throw badRequest('instance requires property "message" or "text"');
  const id = b.id ?? messageKeyId();
  const from = `${b.from}@s.whatsapp.net`;
  const fromMe = b.fromMe ?? false;
  const key = b.groupJid ? { remoteJid: b.groupJid, fromMe, id, ...(fromMe ? {} : { participant: from }) } : { remoteJid: from, fromMe, id };
  return { key, pushName: fromMe ? null : (b.pushName ?? null), message, messageTimestamp: b.timestamp ?? nowSeconds(), source: sourceOfId(id) };
}
