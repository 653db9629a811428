import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, EventList, InstanceParams, Loose, Obj, WebhookObject } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { badRequest } from '../../domain/errors.js';
import { presentWebhook } from '../presenters.js';

const WebhookBody = Obj({
  webhook: Obj({
    enabled: Type.Boolean(),
    url: Type.String({ minLength: 1, maxLength: 2048 }),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    byEvents: Type.Optional(Type.Boolean()),
    base64: Type.Optional(Type.Boolean()),
    events: Type.Optional(EventList),
    secret: WebhookObject.properties.secret,
  }),
});

export function webhookRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  app.post<{ Params: { instanceName: string }; Body: Static<typeof WebhookBody> }>(
    '/webhook/set/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['webhook'], summary: 'Set the instance webhook', params: InstanceParams, body: WebhookBody, response: { 201: Loose('Webhook row'), ...errorResponses } } },
    async (request, reply) => {
      const w = request.body.webhook;
      if (!/^https?:\/\/[^\s]+$/i.test(w.url)) throw badRequest('Invalid "url" property in webhook');
      const saved = await gateway.instances.setWebhook(request.live as LiveInstance, { url: w.url, headers: w.headers ?? null, enabled: w.enabled, events: w.events ?? [], webhookByEvents: w.byEvents ?? false, webhookBase64: w.base64 ?? false, secret: w.secret });
      reply.status(201);
      return presentWebhook(saved);
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/webhook/find/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['webhook'], summary: 'The instance webhook, or null', params: InstanceParams, response: { 200: Type.Union([Loose('Webhook row'), Type.Null()]), ...errorResponses } } },
    async (request) => {
      const w = (request.live as LiveInstance).webhook;
      return w ? presentWebhook(w) : null;
    },
  );
}
