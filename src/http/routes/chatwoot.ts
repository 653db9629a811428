import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import { unauthorized } from '../../domain/errors.js';
import { MASKED_PASSWORD } from '../../domain/proxies.js';
import type { ChatwootEvent } from '../../chatbots/chatwoot/webhookHandler.js';

const Nullable = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Null()], { description }));

const SetBody = withExamples(
  Obj({
    enabled: Type.Boolean(),
    accountId: Type.String({ description: 'Chatwoot account id' }),
    token: Type.String({ description: "A Chatwoot user's api_access_token; stored sealed, answers show it masked" }),
    url: Type.String({ description: 'Chatwoot base URL, e.g. https://chatwoot.example.com' }),
    signMsg: Type.Boolean({ description: "Prefix agents' messages with their name in bold" }),
    reopenConversation: Type.Boolean({ description: 'Reuse (and reopen) the last resolved conversation instead of starting a new one' }),
    conversationPending: Type.Boolean({ description: 'New and reopened conversations start as pending' }),
    signDelimiter: Nullable('Between the signature and the text (default a new line)'),
    nameInbox: Nullable('Inbox name (default the instance name)'),
    number: Type.Optional(Type.String()),
    autoCreate: Type.Optional(Type.Boolean({ description: 'Create the API inbox in Chatwoot (its webhook pointing at this gateway)' })),
    importContacts: Type.Optional(Type.Boolean({ description: 'true: import the stored contacts now (and contacts of history syncs)' })),
    mergeBrazilContacts: Type.Optional(Type.Boolean({ description: 'Brazilian numbers with and without the ninth digit are one contact' })),
    importMessages: Type.Optional(Type.Boolean({ description: 'true: import the stored messages of the last daysLimitImportMessages days now (and history syncs)' })),
    daysLimitImportMessages: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
    organization: Type.Optional(Type.String()),
    logo: Type.Optional(Type.String()),
    ignoreJids: Type.Optional(Type.Array(Type.String(), { description: 'Chats not synced: JIDs, or "@g.us" (all groups), "@s.whatsapp.net" (all people)' })),
  }),
  { enabled: true, accountId: '1', token: 'chatwoot-user-access-token', url: 'https://chatwoot.example.com', signMsg: true, signDelimiter: '\n', reopenConversation: true, conversationPending: false, nameInbox: 'my-instance', autoCreate: true, importContacts: false, importMessages: false, ignoreJids: ['@g.us'] },
  { enabled: false, accountId: '', token: '', url: '', signMsg: false, reopenConversation: false, conversationPending: false },
);

const SETTINGS = {
  enabled: Type.Boolean(), accountId: Type.String(), token: Type.String(), url: Type.String(), nameInbox: Type.String(), signMsg: Type.Boolean(),
  signDelimiter: Type.Union([Type.String(), Type.Null()]), number: Type.String(), reopenConversation: Type.Boolean(), conversationPending: Type.Boolean(),
  mergeBrazilContacts: Type.Boolean(), importContacts: Type.Boolean(), importMessages: Type.Boolean(), daysLimitImportMessages: Type.Integer(),
  organization: Type.String(), logo: Type.String(), ignoreJids: Type.Array(Type.String()), autoCreate: Type.Boolean(), webhook_url: Type.String(),
};
const EXAMPLE_ANSWER = {
  enabled: true, accountId: '1', token: MASKED_PASSWORD, url: 'https://chatwoot.example.com', nameInbox: 'my-instance', signMsg: true, signDelimiter: '\n', number: '',
  reopenConversation: true, conversationPending: false, mergeBrazilContacts: false, importContacts: false, importMessages: false, daysLimitImportMessages: 60,
  organization: '', logo: '', ignoreJids: ['@g.us'], autoCreate: true, webhook_url: 'https://gateway.example.com/chatwoot/webhook/my-instance?token=Xq3...',
};
const SetAnswer = withExamples(Obj(SETTINGS), EXAMPLE_ANSWER);
const FindAnswer = withExamples(Obj(Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, Type.Optional(v)]))), EXAMPLE_ANSWER, { enabled: false, url: '', accountId: '', token: '', signMsg: false, nameInbox: '', webhook_url: '' });

const WebhookBody = withExamples(
  Obj({ event: Type.String({ description: 'Chatwoot event name (message_created, conversation_status_changed, ...)' }) }, { description: "Chatwoot's webhook payload" }),
  {
    event: 'message_created', id: 41, content: 'Hello from support', message_type: 'outgoing', private: false, source_id: null,
    sender: { id: 1, name: 'Ana', available_name: 'Ana', type: 'user' }, inbox: { id: 3, name: 'my-instance' }, account: { id: 1, name: 'Acme' },
    conversation: { id: 7, status: 'open', inbox_id: 3, meta: { sender: { id: 12, name: 'Maria', phone_number: '+5511999999999', identifier: '5511999999999@s.whatsapp.net' } } },
    attachments: [{ id: 5, file_type: 'image', data_url: 'https://chatwoot.example.com/rails/active_storage/blobs/photo.jpg' }],
  },
);
const WebhookQuery = Obj({ token: Type.Optional(Type.String({ description: "The instance's webhook secret (part of webhook_url)" })) });
const WebhookAnswer = withExamples(Obj({ message: Type.String() }), { message: 'bot' });

/** The Chatwoot fields of `/instance/create` (all optional; accountId, token and url together configure Chatwoot). */
export const ChatwootCreateFields = {
  chatwootAccountId: Type.Optional(Type.String()),
  chatwootToken: Type.Optional(Type.String({ description: 'Stored sealed; answers show it masked' })),
  chatwootUrl: Type.Optional(Type.String()),
  chatwootSignMsg: Type.Optional(Type.Boolean()),
  chatwootReopenConversation: Type.Optional(Type.Boolean()),
  chatwootConversationPending: Type.Optional(Type.Boolean()),
  chatwootImportContacts: Type.Optional(Type.Boolean()),
  chatwootImportMessages: Type.Optional(Type.Boolean()),
  chatwootDaysLimitImportMessages: Type.Optional(Type.Integer({ minimum: 0, maximum: 36500 })),
  chatwootMergeBrazilContacts: Type.Optional(Type.Boolean()),
  chatwootNameInbox: Type.Optional(Type.String()),
  chatwootOrganization: Type.Optional(Type.String()),
  chatwootLogo: Type.Optional(Type.String()),
  chatwootAutoCreate: Type.Optional(Type.Boolean()),
};

/** Where clients reach this gateway: SERVER_URL, else the request's own origin. */
export function baseUrlOf(request: FastifyRequest, serverUrl: string | undefined): string {
  return serverUrl ?? `${request.protocol}://${request.host}`;
}

export function chatwootRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const { chatwoot } = gateway;
  const serverUrl = gateway.config.server.url;

  app.post<{ Params: { instanceName: string }; Body: Static<typeof SetBody> }>(
    '/chatwoot/set/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['chatwoot'], summary: "Connect the instance to a Chatwoot inbox (created with autoCreate); answers the settings and the webhook URL for Chatwoot", params: InstanceParams, body: SetBody, response: { 201: SetAnswer, ...errorResponses } } },
    async (request, reply) => {
      const answer = await chatwoot.set(request.live as LiveInstance, request.body, baseUrlOf(request, serverUrl));
      reply.status(201);
      return answer;
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/chatwoot/find/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['chatwoot'], summary: 'The Chatwoot settings (token masked) and the webhook URL for Chatwoot', params: InstanceParams, response: { 200: FindAnswer, ...errorResponses } } },
    async (request) => chatwoot.find(request.live as LiveInstance, baseUrlOf(request, serverUrl)),
  );

  /**
   * Chatwoot posts here. Upstream leaves the route open; here a post needs the instance's webhook secret (`?token=`,
   * part of the webhook_url that set answers and gives the inbox it creates) or an `apikey` valid for the instance.
   */
  app.post<{ Params: { instanceName: string }; Querystring: Static<typeof WebhookQuery>; Body: Static<typeof WebhookBody> }>(
    '/chatwoot/webhook/:instanceName',
    {
      onRequest: async (request, reply) => {
        if (request.headers.apikey) return guards.instance.call(app, request, reply, () => undefined);
        const live = gateway.registry.get(request.params.instanceName);
        const token = (request.query as { token?: unknown }).token;
        if (!live || typeof token !== 'string' || !(await chatwoot.webhookAuthorized(live, token))) throw unauthorized();
        request.live = live;
      },
      schema: { tags: ['chatwoot'], summary: "Chatwoot's webhook: agents' outgoing messages go to WhatsApp (needs the webhook_url's token or an apikey)", params: InstanceParams, querystring: WebhookQuery, body: WebhookBody, response: { 200: WebhookAnswer, ...errorResponses }, security: [] },
    },
    async (request) => chatwoot.webhook(request.live as LiveInstance, request.body as ChatwootEvent),
  );
}
