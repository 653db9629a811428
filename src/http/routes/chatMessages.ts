import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, NotEmptyStrict, Obj } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { MessageChanges } from '../../domain/messageChanges.js';
import { isGroupJid } from '../../domain/jid.js';
import { withExamples } from '../openapi.js';

/** A string that, when given, must not be empty (upstream's isNotEmpty rule and its wording). */

const KeyFields = { id: NotEmptyStrict('id'), remoteJid: NotEmptyStrict('remoteJid'), fromMe: Type.Boolean() };

const UpdateMessageBody = withExamples(Obj({ number: NotEmptyStrict('number'), key: Obj(KeyFields), text: NotEmptyStrict('text') }), { number: '5511999999999', key: { id: '3EB0A1B2C3D4E5F60718', remoteJid: '5511999999999@s.whatsapp.net', fromMe: true }, text: 'Corrected text' });
const DeleteMessageBody = withExamples(Obj({ ...KeyFields, participant: Type.Optional(NotEmptyStrict('participant')) }), { id: '3EB0A1B2C3D4E5F60718', fromMe: true, remoteJid: '5511999999999@s.whatsapp.net' });
const PlayedMessagesBody = withExamples(Obj({ playedMessages: Type.Array(Obj(KeyFields), { minItems: 1, maxItems: 1000 }) }), { playedMessages: [{ id: '3A5F1C2B9E0D4F6A8B7C', fromMe: false, remoteJid: '5511999999999@s.whatsapp.net' }] });
const PollVoteBody = withExamples(Obj({ message: Obj({ key: Obj({ id: NotEmptyStrict('id') }) }), remoteJid: NotEmptyStrict('remoteJid') }), { message: { key: { id: '3EB0A1B2C3D4E5F60718' } }, remoteJid: '5511999999999@s.whatsapp.net' });

/** The raw WhatsApp message of an edit or revoke, as upstream answers with Baileys' WAMessage. */
const ProtocolMessageResponse = Obj({ key: Obj({ remoteJid: Type.String(), fromMe: Type.Boolean(), id: Type.String() }), message: Loose(), messageTimestamp: Type.Integer(), status: Type.String() });
const PollVoteResponse = withExamples(
  Obj({ poll: Obj({ name: Type.String(), totalVotes: Type.Integer(), results: Type.Record(Type.String(), Obj({ votes: Type.Integer(), voters: Type.Array(Type.String()) })) }) }),
  { poll: { name: 'Lunch?', totalVotes: 2, results: { pizza: { votes: 2, voters: ['5511999999999@s.whatsapp.net', '5511988887777@s.whatsapp.net'] }, sushi: { votes: 0, voters: [] } } } },
);

type P = { instanceName: string };
const tags = ['chat'];

/** /chat routes that act on single messages: edit, delete for everyone, played receipts, poll votes. */
export function chatMessageRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const changes = new MessageChanges(gateway.repos, gateway.bus, gateway.instances);
  const schema = (summary: string, body: unknown, ok: number, response: unknown) => ({ tags, summary, params: InstanceParams, body, response: { [ok]: response, ...errorResponses } });

  app.post<{ Params: P; Body: Static<typeof UpdateMessageBody> }>(
    '/chat/updateMessage/:instanceName',
    { onRequest: guards.instance, schema: schema('Edit the text (or caption) of a message the instance sent', UpdateMessageBody, 200, ProtocolMessageResponse) },
    async (request) => changes.edit(request.live as LiveInstance, request.body),
  );

  app.delete<{ Params: P; Body: Static<typeof DeleteMessageBody> }>(
    '/chat/deleteMessageForEveryone/:instanceName',
    { onRequest: guards.instance, schema: schema('Delete a message for everyone (revoke)', DeleteMessageBody, 201, ProtocolMessageResponse) },
    async (request, reply) => {
      const result = await changes.revoke(request.live as LiveInstance, request.body);
      reply.status(201);
      return result;
    },
  );

  app.post<{ Params: P; Body: Static<typeof PlayedMessagesBody> }>(
    '/chat/markMessageAsPlayed/:instanceName',
    { onRequest: guards.instance, schema: schema('Send played receipts for voice notes or videos (2.4): the senders see PLAYED', PlayedMessagesBody, 201, Obj({ message: Type.String(), played: Type.String() })) },
    async (request, reply) => {
      // As upstream: only phone and group chats take played receipts; other keys are skipped without an error.
      const keys = request.body.playedMessages.filter((k) => isGroupJid(k.remoteJid) || k.remoteJid.endsWith('@s.whatsapp.net'));
      if (keys.length) await gateway.messages.markPlayed(request.live as LiveInstance, keys.map((k) => ({ remoteJid: k.remoteJid, fromMe: k.fromMe, id: k.id })));
      reply.status(201);
      return { message: 'Played messages', played: 'success' };
    },
  );

  app.post<{ Params: P; Body: Static<typeof PollVoteBody> }>(
    '/chat/getPollVote/:instanceName',
    { onRequest: guards.instance, schema: schema("A poll's current votes per option, with the voters (2.4)", PollVoteBody, 200, PollVoteResponse) },
    async (request) => changes.pollVotes(request.live as LiveInstance, request.body.message.key.id, request.body.remoteJid),
  );
}
