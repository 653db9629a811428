import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../../driver.js';
import type { SandboxDriver } from '../driver.js';
import { SandboxChannel } from '../channel.js';
import type { LiveInstance } from '../../../domain/registry.js';
import type { StoredMessage } from '../../../domain/types.js';
import { Obj } from '../../../http/schemas.js';
import { badRequest } from '../../../domain/errors.js';
import { messageKeyId, nowSeconds } from '../../../domain/ids.js';
import { sourceOfId } from '../../../domain/messageContent.js';
import { jidUser } from '../../../domain/jid.js';
import { pollOf, voteProblem } from '../../../domain/messagePolls.js';
import { controlRoute, sandboxResolver } from '../routes.js';

const Phone = Type.String({ pattern: '^\\d{8,15}$', description: 'The contact: digits only' });
const KeyId = Type.String({ minLength: 1, maxLength: 128 });
const GroupJid = Type.Optional(Type.String({ pattern: '^[\\d-]+@g\\.us$', description: 'When the message is in a group' }));

const VoteBody = Obj({ from: Phone, pollId: KeyId, options: Type.Array(Type.String(), { maxItems: 10, description: 'The options chosen; [] withdraws the vote' }), groupJid: GroupJid });
const CastVoteBody = Obj({ pollId: KeyId, options: Type.Array(Type.String(), { maxItems: 10, description: 'The options chosen; [] withdraws the vote' }) });
const ReactBody = Obj({ from: Phone, keyId: KeyId, reaction: Type.String({ description: 'One emoji, or "" to remove the reaction' }), pushName: Type.Optional(Type.String({ maxLength: 255 })), groupJid: GroupJid });
const EditBody = Obj({ from: Phone, keyId: KeyId, text: Type.String({ minLength: 1 }), groupJid: GroupJid });
const DeleteBody = Obj({ from: Phone, keyId: KeyId, groupJid: GroupJid });

type P = { instanceName: string };

/** What a contact does to messages already in a chat with the instance: vote on its polls, react, edit or revoke its own. */
export function messageControls(app: FastifyInstance, { gateway, guards }: DriverRouteContext, driver: SandboxDriver): void {
  const sandboxOf = sandboxResolver(gateway, driver);
  const base = controlRoute(guards);

  /** The stored message a control names; `own`: sent by the contact (else sent by the instance, for votes and reactions). */
  const target = async (live: LiveInstance, keyId: string, chat: string): Promise<StoredMessage> => {
    const stored = await gateway.repos.messages.findByKeyId(live.id, keyId, chat);
    if (!stored) throw badRequest(`Message "${keyId}" was not found in the chat ${chat}`);
    return stored;
  };
  const chatOf = (b: { from: string; groupJid?: string }) => b.groupJid ?? `${b.from}@s.whatsapp.net`;

  app.post<{ Params: P; Body: Static<typeof VoteBody> }>('/sandbox/vote/:instanceName', base('A contact votes on a poll in its chat with the instance: the instance gets messages.update with pollUpdates', VoteBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const poll = await target(live, b.pollId, chatOf(b));
    const definition = pollOf(poll.message);
    if (!definition) throw badRequest(`Message "${b.pollId}" is not a poll`);
    const problem = voteProblem(definition, b.options);
    if (problem) throw badRequest(problem);
    const voter = `${b.from}@s.whatsapp.net`;
    await gateway.instances.channelCall(() => deliver(channel, () => channel.notify([{ type: 'message.updates', updates: [{ type: 'pollVote', key: poll.key, votes: [{ voter, options: b.options }], at: nowSeconds() }] }])));
    reply.status(201);
    return { pollId: poll.key.id, voter, options: b.options };
  });

  app.post<{ Params: P; Body: Static<typeof CastVoteBody> }>('/sandbox/castVote/:instanceName', base("The phone votes on a poll it received: the poll's creator, when it is another sandbox instance, gets messages.update with pollUpdates", CastVoteBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const poll = await gateway.repos.messages.findByKeyId(live.id, b.pollId);
    const definition = poll && !poll.key.fromMe ? pollOf(poll.message) : undefined;
    if (!poll || !definition) throw badRequest(`No poll "${b.pollId}" was received by this instance`);
    const problem = voteProblem(definition, b.options);
    if (problem) throw badRequest(problem);
    channel.assertOpen();
    const creatorNumber = jidUser(poll.key.participant ?? poll.key.remoteJid);
    const creator = driver.network.phone(creatorNumber);
    const voter = `${channel.number}@s.whatsapp.net`;
    // The creator keeps the poll under its own key: in its chat with the voter (or the group), sent by itself.
    const key = { remoteJid: poll.key.participant ? poll.key.remoteJid : voter, fromMe: true, id: poll.key.id };
    if (creator instanceof SandboxChannel) {
      await gateway.instances.channelCall(() => creator.notify([{ type: 'message.updates', updates: [{ type: 'pollVote', key, votes: [{ voter, options: b.options }], at: nowSeconds() }] }]));
    }
    reply.status(201);
    return { pollId: poll.key.id, voter, options: b.options, deliveredTo: creator ? `${creatorNumber}@s.whatsapp.net` : null };
  });

  app.post<{ Params: P; Body: Static<typeof ReactBody> }>('/sandbox/react/:instanceName', base('A contact reacts to a message of the chat: it arrives as messages.upsert with reactionMessage', ReactBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const reacted = await target(live, b.keyId, chatOf(b));
    // The key as the contact's phone writes it: its own messages are fromMe, the instance's are not.
    const instanceJid = `${channel.number}@s.whatsapp.net`;
    const key = { remoteJid: b.groupJid ?? instanceJid, fromMe: !reacted.key.fromMe, id: reacted.key.id, ...(b.groupJid && reacted.key.fromMe ? { participant: instanceJid } : {}) };
    const message = { reactionMessage: { key, text: b.reaction, senderTimestampMs: Date.now() } };
    const inbound = fromContact(b, message);
    await gateway.instances.channelCall(() => deliver(channel, () => channel.inbound('live', [inbound])));
    reply.status(201);
    return inbound;
  });

  app.post<{ Params: P; Body: Static<typeof EditBody> }>('/sandbox/edit/:instanceName', base('A contact edits one of its messages: the instance gets messages.edited and messages.update', EditBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const edited = await ownMessage(live, b);
    const protocolMessage = { key: { remoteJid: `${channel.number}@s.whatsapp.net`, fromMe: true, id: edited.key.id }, type: 'MESSAGE_EDIT', editedMessage: { conversation: b.text }, timestampMs: Date.now() };
    await gateway.instances.channelCall(() => deliver(channel, () => channel.receive(fromContact(b, { protocolMessage }))));
    reply.status(201);
    return { keyId: edited.key.id, text: b.text };
  });

  app.post<{ Params: P; Body: Static<typeof DeleteBody> }>('/sandbox/delete/:instanceName', base('A contact deletes one of its messages for everyone: the instance gets messages.delete', DeleteBody, 201), async (request, reply) => {
    const { live, channel } = sandboxOf(request);
    const b = request.body;
    const revoked = await ownMessage(live, b);
    const protocolMessage = { key: { remoteJid: `${channel.number}@s.whatsapp.net`, fromMe: true, id: revoked.key.id }, type: 'REVOKE' };
    await gateway.instances.channelCall(() => deliver(channel, () => channel.receive(fromContact(b, { protocolMessage }))));
    reply.status(201);
    return { keyId: revoked.key.id, status: 'DELETED' };
  });

  /** A message the contact sent in this chat: the only kind it can edit or revoke. */
  async function ownMessage(live: LiveInstance, b: { from: string; keyId: string; groupJid?: string }): Promise<StoredMessage> {
    const stored = await target(live, b.keyId, chatOf(b));
    const sender = `${b.from}@s.whatsapp.net`;
    if (stored.key.fromMe || (b.groupJid && stored.key.participant !== sender)) throw badRequest(`Message "${b.keyId}" was not sent by ${b.from}`);
    return stored;
  }
}

/** The phone must be online to hear from its contacts. */
function deliver(channel: SandboxChannel, give: () => Promise<void>): Promise<void> {
  channel.assertOpen();
  return give();
}

/** A message from the contact, in its chat with the instance or in the group it names. */
function fromContact(b: { from: string; groupJid?: string; pushName?: string }, message: Record<string, unknown>) {
  const id = messageKeyId();
  const sender = `${b.from}@s.whatsapp.net`;
  const key = b.groupJid ? { remoteJid: b.groupJid, fromMe: false, id, participant: sender } : { remoteJid: sender, fromMe: false, id };
  return { key, pushName: b.pushName ?? null, message, messageTimestamp: nowSeconds(), source: sourceOfId(id) };
}
