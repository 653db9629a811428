import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { StartInput } from '../../chatbots/typebotStart.js';

const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;

const StartBody = withExamples(
  Obj({
    remoteJid: Type.String({ minLength: 1 }),
    url: Type.String({ minLength: 1, description: 'The Typebot viewer URL' }),
    typebot: Type.String({ minLength: 1, description: "The typebot's public id" }),
    startSession: Type.Optional(Type.Boolean({ description: 'Restart the chat when a session is open there' })),
    variables: Type.Optional(Type.Array(Obj({ name: Type.String(), value: Type.Unknown() }), { description: 'Prefilled variables' })),
  }),
  { remoteJid: '5511999999999@s.whatsapp.net', url: 'https://typebot.example.com', typebot: 'lead-capture-x1y2z3', startSession: true, variables: [{ name: 'origin', value: 'campaign-42' }] },
);
const CredsBody = withExamples(Obj({ name: Type.String({ minLength: 1 }), apiKey: Type.String({ minLength: 1 }) }), { name: 'main', apiKey: 'sk-proj-0123456789abcdef' });
const CredsRow = Obj({ id: Type.String(), name: Type.String(), apiKey: Type.String({ description: 'Masked' }), instanceId: Type.String() });
const CREDS_EXAMPLE = { id: 'clyjb1w2x0a5uqpy7a9b8c7d6', name: 'main', apiKey: 'sk-****cdef', createdAt: '2025-10-21T08:40:39.123Z', updatedAt: '2025-10-21T08:40:39.123Z', instanceId: '2d6f0c1e-7c1b-4a51-9b1e-3f2b0a8c9d10' };

/** The routes only one bot kind has: Typebot's start, OpenAI's credentials and models. */
export function chatbotExtraRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const { typebotStart, openaiCreds } = gateway.chatbots;

  app.post<{ Params: { instanceName: string }; Body: StartInput }>(
    '/typebot/start/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['typebot'], summary: 'Starts a Typebot flow in a chat, without a trigger (typebot.start)', params: InstanceParams, body: StartBody, response: { 200: withExamples(Obj({ typebot: Obj({}) }), { typebot: { instanceName: 'my-inst', typebot: { url: 'https://typebot.example.com', remoteJid: '5511999999999@s.whatsapp.net', typebot: 'lead-capture-x1y2z3', prefilledVariables: { origin: 'campaign-42' }, sessionId: 'cm2x0typebotsession' } } }), ...errorResponses } } },
    async (request) => typebotStart.start(live(request), request.body),
  );

  app.post<{ Params: { instanceName: string }; Body: { name: string; apiKey: string } }>(
    '/openai/creds/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['openai'], summary: 'Stores OpenAI credentials (sealed; answered masked)', params: InstanceParams, body: CredsBody, response: { 201: withExamples(CredsRow, CREDS_EXAMPLE), ...errorResponses } } },
    async (request, reply) => {
      const row = await openaiCreds.create(live(request), request.body.name, request.body.apiKey);
      reply.status(201);
      return row;
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/openai/creds/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['openai'], summary: "The instance's OpenAI credentials (keys masked)", params: InstanceParams, response: { 200: withExamples(Type.Array(CredsRow), [CREDS_EXAMPLE]), ...errorResponses } } },
    async (request) => openaiCreds.list(live(request)),
  );

  app.delete<{ Params: { instanceName: string; openaiCredsId: string } }>(
    '/openai/creds/:openaiCredsId/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['openai'], summary: 'Deletes OpenAI credentials no bot uses', params: Obj({ openaiCredsId: Type.String(), instanceName: Type.String() }), response: { 200: withExamples(Obj({ openaiCreds: Obj({ id: Type.String() }) }), { openaiCreds: { id: CREDS_EXAMPLE.id } }), ...errorResponses } } },
    async (request) => openaiCreds.remove(live(request), request.params.openaiCredsId),
  );

  app.get<{ Params: { instanceName: string }; Querystring: { openaiCredsId?: string } }>(
    '/openai/getModels/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['openai'], summary: 'The models the credentials reach (OpenAI GET /models)', params: InstanceParams, querystring: Obj({ openaiCredsId: Type.Optional(Type.String()) }), response: { 200: withExamples(Type.Array(Obj({ id: Type.String() })), [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }]), ...errorResponses } } },
    async (request) => openaiCreds.models(live(request), request.query.openaiCredsId),
  );
}
