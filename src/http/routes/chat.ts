import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, MessageKeySchema, NotEmpty, Obj, TimestampRange } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { Presence } from '../../channels/channel.js';
import { ChatStateService } from '../../domain/chatState.js';
import { InstanceCache } from '../../domain/instanceCache.js';
import { followPictureUpdates } from '../../domain/pictureUpdates.js';
import { NumberField } from '../sendSchemas.js';
import { withExamples } from '../openapi.js';

const Page = { page: Type.Optional(Type.Integer({ minimum: 1 })), offset: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) };

const FindMessagesBody = Obj({
  where: Type.Optional(
    Obj({
      id: Type.Optional(Type.String()),
      source: Type.Optional(Type.String()),
      messageType: Type.Optional(Type.String()),
      key: Type.Optional(Obj({ id: Type.Optional(Type.String()), fromMe: Type.Optional(Type.Boolean()), remoteJid: Type.Optional(Type.String()), participant: Type.Optional(Type.String()), remoteJidAlt: Type.Optional(Type.String()) })),
      messageTimestamp: Type.Optional(TimestampRange),
    }),
  ),
  ...Page,
});

const FindChatsBody = Obj({
  where: Type.Optional(Obj({ remoteJid: Type.Optional(Type.String()), messageTimestamp: Type.Optional(TimestampRange) })),
  take: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  skip: Type.Optional(Type.Integer({ minimum: 0 })),
});

const FindContactsBody = Obj({ where: Type.Optional(Obj({ remoteJid: Type.Optional(Type.String()) })), ...Page });
const MarkReadBody = Obj({ readMessages: Type.Array(MessageKeySchema, { minItems: 1, maxItems: 1000 }) });
const NumbersBody = Obj({ numbers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 1000 }) });
const ProfilePictureBody = Obj({ number: Type.String({ minLength: 1 }) });

/** Upstream's isNotEmpty: a wrong type keeps the library's words, only an empty string gets this sentence. */
const LastMessageSchema = Obj({
  key: Obj({ id: NotEmpty('id'), fromMe: Type.Boolean(), remoteJid: NotEmpty('remoteJid') }),
  messageTimestamp: Type.Optional(Type.Integer({ minimum: 0 })),
});
const ArchiveBody = Obj({ archive: Type.Boolean(), lastMessage: Type.Optional(LastMessageSchema), chat: Type.Optional(Type.String({ minLength: 1 })) });
const MarkUnreadBody = Obj({ lastMessage: LastMessageSchema, chat: Type.Optional(Type.String({ minLength: 1 })) });
const PresenceBody = Obj({
  number: NumberField,
  presence: Type.String({ enum: ['unavailable', 'available', 'composing', 'recording', 'paused'] }),
  delay: Type.Number({ minimum: 0, maximum: 300000, description: 'ms the presence is shown (the request waits as long), then "paused"' }),
});
const BlockBody = Obj({ number: NotEmpty('number'), status: Type.String({ enum: ['block', 'unblock'] }) });
const FindStatusBody = Obj({ where: Type.Optional(Obj({ remoteJid: Type.Optional(Type.String()), id: Type.Optional(Type.String()) })), ...Page });
const RemoteJidQuery = Obj({ remoteJid: Type.Optional(Type.String()) });
const StatusRow = Obj({ id: Type.String(), keyId: Type.String(), remoteJid: Type.String(), fromMe: Type.Boolean(), participant: Type.Union([Type.String(), Type.Null()]), pollUpdates: Type.Null(), status: Type.String(), messageId: Type.String(), instanceId: Type.String() });
const ChatRow = Obj({ id: Type.String(), remoteJid: Type.String(), name: Type.Union([Type.String(), Type.Null()]), labels: Type.Array(Type.String()), createdAt: Type.String(), updatedAt: Type.String(), instanceId: Type.String(), unreadMessages: Type.Integer(), archived: Type.Boolean(), markedAsUnread: Type.Boolean() });

const tags = ['chat'];
type P = { instanceName: string };
const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;

export function chatRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const { chats, messages } = gateway;
  const base = { onRequest: guards.instance };
  const cache = new InstanceCache(gateway.cache, gateway.config.cache.ttlSeconds);
  const state = new ChatStateService(gateway.repos, gateway.bus, gateway.instances, cache);
  followPictureUpdates(gateway.bus, cache);

  app.post<{ Params: P; Body: Static<typeof ArchiveBody> }>(
    '/chat/archiveChat/:instanceName',
    { ...base, schema: { tags, summary: 'Archive or unarchive a chat (shows as `archived` in findChats)', params: InstanceParams, body: withExamples(ArchiveBody, { archive: true, lastMessage: { key: { id: '3EB0A1B2C3D4E5F60718', fromMe: false, remoteJid: '5511999999999@s.whatsapp.net' } } }, { archive: false, chat: '5511999999999' }), response: { 201: Obj({ chatId: Type.String(), archived: Type.Boolean() }), ...errorResponses } } },
    async (request, reply) => {
      const out = await state.archive(live(request), request.body);
      reply.status(201);
      return out;
    },
  );

  app.post<{ Params: P; Body: Static<typeof MarkUnreadBody> }>(
    '/chat/markChatUnread/:instanceName',
    { ...base, schema: { tags, summary: 'Mark a chat as unread (shows as `markedAsUnread` in findChats until it is read)', params: InstanceParams, body: withExamples(MarkUnreadBody, { lastMessage: { key: { id: '3EB0A1B2C3D4E5F60718', fromMe: false, remoteJid: '5511999999999@s.whatsapp.net' }, messageTimestamp: 1729510000 } }), response: { 201: Obj({ chatId: Type.String(), markedChatUnread: Type.Boolean() }), ...errorResponses } } },
    async (request, reply) => {
      const out = await state.markUnread(live(request), request.body);
      reply.status(201);
      return out;
    },
  );

  app.post<{ Params: P; Body: Static<typeof PresenceBody> }>(
    '/chat/sendPresence/:instanceName',
    { ...base, schema: { tags, summary: 'Show typing, recording, online... to a chat for `delay` ms (the answer comes after it)', params: InstanceParams, body: withExamples(PresenceBody, { number: '5511999999999', presence: 'composing', delay: 1200 }), response: { 201: Obj({ presence: Type.String() }), ...errorResponses } } },
    async (request, reply) => {
      const b = request.body;
      const out = await state.sendPresence(live(request), b.number, b.presence as Presence, b.delay);
      reply.status(201);
      return out;
    },
  );

  app.post<{ Params: P; Body: Static<typeof BlockBody> }>(
    '/chat/updateBlockStatus/:instanceName',
    { ...base, schema: { tags, summary: "Block or unblock a contact (a blocked contact's messages, calls and presence do not arrive)", params: InstanceParams, body: withExamples(BlockBody, { number: '5511999999999', status: 'block' }), response: { 201: Obj({ block: Type.String() }), ...errorResponses } } },
    async (request, reply) => {
      const out = await state.updateBlockStatus(live(request), request.body.number, request.body.status as 'block' | 'unblock');
      reply.status(201);
      return out;
    },
  );

  app.post<{ Params: P; Body: Static<typeof FindStatusBody> }>(
    '/chat/findStatusMessage/:instanceName',
    { ...base, schema: { tags, summary: 'Status history of messages (MessageUpdate rows)', params: InstanceParams, body: withExamples(FindStatusBody, { where: { remoteJid: '5511999999999@s.whatsapp.net', id: '3EB0A1B2C3D4E5F60718' }, page: 1, offset: 10 }), response: { 200: Type.Array(StatusRow), ...errorResponses } } },
    async (request) => chats.findStatusMessage(live(request), request.body ?? {}),
  );

  app.get<{ Params: P; Querystring: Static<typeof RemoteJidQuery> }>(
    '/chat/findChatByRemoteJid/:instanceName',
    { ...base, schema: { tags, summary: 'One chat row by its JID, or null', params: InstanceParams, querystring: RemoteJidQuery, response: { 200: withExamples(Type.Union([ChatRow, Type.Null()]), { id: 'cm3x9k2f40001abcd1234efgh', remoteJid: '5511999999999@s.whatsapp.net', name: 'Maria', labels: ['2'], createdAt: '2025-10-21T08:40:39.123Z', updatedAt: '2025-10-21T08:41:02.456Z', instanceId: '2d6f0c1e-7c55-4a38-9a11-0b8f2f2b6a10', unreadMessages: 0, archived: true, markedAsUnread: false }, null), 400: Obj({ error: Type.String() }), 401: errorResponses[401], 404: errorResponses[404] } } },
    async (request, reply) => {
      const remoteJid = request.query.remoteJid;
      // Upstream answers this one case with a body of its own, not the usual error shape.
      if (!remoteJid) return reply.status(400).send({ error: 'remoteJid is a required query parameter' });
      return chats.findChatByRemoteJid(live(request), remoteJid);
    },
  );

  app.post<{ Params: P; Body: Static<typeof FindMessagesBody> }>(
    '/chat/findMessages/:instanceName',
    { ...base, schema: { tags, summary: 'Stored messages, newest first, paginated', params: InstanceParams, body: withExamples(FindMessagesBody, { where: { key: { remoteJid: '5511999999999@s.whatsapp.net', fromMe: false } }, page: 1, offset: 20 }), response: { 200: Obj({ messages: Obj({ total: Type.Integer(), pages: Type.Integer(), currentPage: Type.Integer(), records: Type.Array(Loose()) }) }), ...errorResponses } } },
    async (request) => chats.findMessages(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof FindChatsBody> }>(
    '/chat/findChats/:instanceName',
    { ...base, schema: { tags, summary: 'Chats with their last message, most recent first', params: InstanceParams, body: withExamples(FindChatsBody, { where: { remoteJid: '5511999999999@s.whatsapp.net' }, take: 20, skip: 0 }), response: { 200: Type.Array(Loose()), ...errorResponses } } },
    async (request) => chats.findChats(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof FindContactsBody> }>(
    '/chat/findContacts/:instanceName',
    { ...base, schema: { tags, summary: 'Contacts', params: InstanceParams, body: withExamples(FindContactsBody, { where: { remoteJid: '5511999999999@s.whatsapp.net' } }), response: { 200: Type.Array(Loose()), ...errorResponses } } },
    async (request) => chats.findContacts(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof MarkReadBody> }>(
    '/chat/markMessageAsRead/:instanceName',
    { ...base, schema: { tags, summary: 'Mark messages as read (the sender sees READ)', params: InstanceParams, body: withExamples(MarkReadBody, { readMessages: [{ id: '3EB0A1B2C3D4E5F60718', fromMe: false, remoteJid: '5511999999999@s.whatsapp.net' }] }), response: { 201: Obj({ message: Type.String(), read: Type.String() }), ...errorResponses } } },
    async (request, reply) => {
      await messages.markRead(live(request), request.body.readMessages);
      reply.status(201);
      return { message: 'Read messages', read: 'success' };
    },
  );

  app.post<{ Params: P; Body: Static<typeof NumbersBody> }>(
    '/chat/whatsappNumbers/:instanceName',
    { ...base, schema: { tags, summary: 'Which numbers are on WhatsApp', params: InstanceParams, body: withExamples(NumbersBody, { numbers: ['5511999999999', '+55 11 98888-7777'] }), response: { 200: Type.Array(Obj({ jid: Type.String(), exists: Type.Boolean(), number: Type.String(), name: Type.Optional(Type.String()) })), ...errorResponses } } },
    async (request) => chats.whatsappNumbers(live(request), request.body.numbers),
  );

  app.post<{ Params: P; Body: Static<typeof ProfilePictureBody> }>(
    '/chat/fetchProfilePictureUrl/:instanceName',
    { ...base, schema: { tags, summary: 'Profile picture URL of a number (null when hidden)', params: InstanceParams, body: withExamples(ProfilePictureBody, { number: '5511999999999' }), response: { 200: Obj({ wuid: Type.String(), profilePictureUrl: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } } },
    async (request) => chats.profilePicture(live(request), request.body.number),
  );
}
