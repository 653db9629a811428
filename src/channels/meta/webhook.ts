import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { DriverRouteContext } from '../driver.js';
import type { DurableInbox } from '../inbound/durableInbox.js';
import { hubSignatureValid } from '../inbound/signature.js';
import { parseJson, rawBodyRoutes, WEBHOOK_BODY_LIMIT } from '../inbound/rawBody.js';
import { errorResponses, Obj } from '../../http/schemas.js';
import { badRequest, unauthorized } from '../../domain/errors.js';
import { secretsEqual } from '../../security/secrets.js';
import { metaChannels, type MetaPayload } from './payload.js';

const tags = ['meta'];
const VerifyQuery = Obj({ 'hub.mode': Type.Optional(Type.String()), 'hub.verify_token': Type.Optional(Type.String()), 'hub.challenge': Type.Optional(Type.String()) });
type VerifyQuery = { 'hub.mode'?: string; 'hub.verify_token'?: string; 'hub.challenge'?: string };

/**
 * The app secrets a payload must be signed with: each phone number's own secret when it has one, else
 * WA_BUSINESS_APP_SECRET. One post comes from one Meta app, so it must match all of them (in practice: the one).
 */
export function secretsFor(ctx: DriverRouteContext, payload: MetaPayload): Array<string | undefined> {
  const global = ctx.gateway.config.meta.appSecret;
  const secrets = new Set<string | undefined>();
  for (const entry of payload.entry ?? []) {
    for (const change of entry.changes ?? []) {
      const phoneNumberId = (change.value as { metadata?: { phone_number_id?: string } } | undefined)?.metadata?.phone_number_id;
      const channels = phoneNumberId ? metaChannels(ctx.gateway, { phoneNumberId }) : metaChannels(ctx.gateway, { businessId: entry.id });
      for (const c of channels) secrets.add(c.appSecret ?? global);
    }
  }
  if (!secrets.size) secrets.add(global);
  return [...secrets];
}

/**
 * GET /webhook/meta: Meta's subscription check against WA_BUSINESS_TOKEN_WEBHOOK. POST /webhook/meta: a signed
 * webhook post, kept in the durable inbox before the 200 and processed afterwards.
 */
export function metaWebhookRoutes(app: FastifyInstance, ctx: DriverRouteContext, inbox: DurableInbox): void {
  const { config, logger } = ctx.gateway;
  if (!config.meta.appSecret) logger.warn('WA_BUSINESS_APP_SECRET is not set: /webhook/meta refuses every post except for numbers with their own app secret');

  app.get<{ Querystring: VerifyQuery }>(
    '/webhook/meta',
    { schema: { tags, summary: "Meta's webhook verification: answers hub.challenge when hub.verify_token is WA_BUSINESS_TOKEN_WEBHOOK (403 otherwise)", querystring: VerifyQuery, response: { 200: Type.String(), 403: Type.String() } } },
    async (request, reply) => {
      const token = request.query['hub.verify_token'];
      reply.type('text/plain');
      if (token === undefined || !secretsEqual(token, config.meta.webhookToken)) return reply.status(403).send('Error, wrong validation token');
      return reply.status(200).send(request.query['hub.challenge'] ?? '');
    },
  );

  rawBodyRoutes(app, (scope) => {
    scope.post(
      '/webhook/meta',
      {
        // Webhook posts are small; an unauthenticated caller must not make the server parse megabytes before the check.
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags,
          summary: 'A Cloud API webhook post, signed with the app secret (X-Hub-Signature-256); 200 once it is stored',
          headers: Obj({ 'x-hub-signature-256': Type.Optional(Type.String({ description: 'sha256=<hex HMAC-SHA256 of the raw body with the app secret>' })) }, { additionalProperties: true }),
          response: { 200: Obj({ status: Type.String() }), 400: errorResponses[400], 401: errorResponses[401] },
        },
      },
      async (request) => {
        const raw = request.body as Buffer;
        const payload = parseJson(raw) as MetaPayload | undefined;
        const signature = request.headers['x-hub-signature-256'];
        // The signature is checked before anything is said about the body, so an unsigned caller learns nothing.
        const secrets = payload && typeof payload === 'object' ? secretsFor(ctx, payload) : [config.meta.appSecret];
        if (!secrets.every((s) => s !== undefined && hubSignatureValid(raw, signature, s))) throw unauthorized();
        if (!payload || typeof payload !== 'object' || payload.object !== 'whatsapp_business_account' || !Array.isArray(payload.entry)) throw badRequest('The body is not a WhatsApp Business Account webhook');
        await inbox.accept(raw.toString('utf8'));
        return { status: 'success' };
      },
    );
  });
}
