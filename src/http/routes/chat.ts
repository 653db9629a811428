import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, MessageKeySchema, Obj, TimestampRange } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';

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

const tags = ['chat'];
type P = { instanceName: string };
const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;

export function chatRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const { chats, messages } = gateway;
  const base = { onRequest: guards.instance };

  app.post<{ Params: P; Body: Static<typeof FindMessagesBody> }>(
    '/chat/findMessages/:instanceName',
    { ...base, schema: { tags, summary: 'Stored messages, newest first, paginated', params: InstanceParams, body: FindMessagesBody, response: { 200: Obj({ messages: Obj({ total: Type.Integer(), pages: Type.Integer(), currentPage: Type.Integer(), records: Type.Array(Loose()) }) }), ...errorResponses } } },
    async (request) => chats.findMessages(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof FindChatsBody> }>(
    '/chat/findChats/:instanceName',
    { ...base, schema: { tags, summary: 'Chats with their last message, most recent first', params: InstanceParams, body: FindChatsBody, response: { 200: Type.Array(Loose()), ...errorResponses } } },
    async (request) => chats.findChats(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof FindContactsBody> }>(
    '/chat/findContacts/:instanceName',
    { ...base, schema: { tags, summary: 'Contacts', params: InstanceParams, body: FindContactsBody, response: { 200: Type.Array(Loose()), ...errorResponses } } },
    async (request) => chats.findContacts(live(request), request.body ?? {}),
  );

  app.post<{ Params: P; Body: Static<typeof MarkReadBody> }>(
    '/chat/markMessageAsRead/:instanceName',
    { ...base, schema: { tags, summary: 'Mark messages as read (the sender sees READ)', params: InstanceParams, body: MarkReadBody, response: { 201: Obj({ message: Type.String(), read: Type.String() }), ...errorResponses } } },
    async (request, reply) => {
      await messages.markRead(live(request), request.body.readMessages);
      reply.status(201);
      return { message: 'Read messages', read: 'success' };
    },
  );

  app.post<{ Params: P; Body: Static<typeof NumbersBody> }>(
    '/chat/whatsappNumbers/:instanceName',
    { ...base, schema: { tags, summary: 'Which numbers are on WhatsApp', params: InstanceParams, body: NumbersBody, response: { 200: Type.Array(Obj({ jid: Type.String(), exists: Type.Boolean(), number: Type.String(), name: Type.Optional(Type.String()) })), ...errorResponses } } },
    async (request) => chats.whatsappNumbers(live(request), request.body.numbers),
  );

  app.post<{ Params: P; Body: Static<typeof ProfilePictureBody> }>(
    '/chat/fetchProfilePictureUrl/:instanceName',
    { ...base, schema: { tags, summary: 'Profile picture URL of a number (null when hidden)', params: InstanceParams, body: ProfilePictureBody, response: { 200: Obj({ wuid: Type.String(), profilePictureUrl: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses } } },
    async (request) => chats.profilePicture(live(request), request.body.number),
  );
}
