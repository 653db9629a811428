import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { DriverRouteContext } from '../driver.js';
import { parseJson, rawBodyRoutes, WEBHOOK_BODY_LIMIT } from '../inbound/rawBody.js';
import { hubSignatureValid } from '../inbound/signature.js';
import { errorResponses, Obj } from '../../http/schemas.js';
import { badRequest, unauthorized } from '../../domain/errors.js';
import { nowSeconds } from '../../domain/ids.js';
import type { LiveInstance } from '../../domain/registry.js';
import { secretsEqual } from '../../security/secrets.js';
import type { EvolutionChannel } from './channel.js';

export const INTEGRATION = 'EVOLUTION';

/** Upstream's body of /webhook/evolution (contract §2.10). */
export const InboundBody = Obj(
  {
    numberId: Type.String({ minLength: 1, description: 'The instance\'s channel id (its `number` at create)' }),
    key: Obj({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })), remoteJid: Type.String({ minLength: 1, maxLength: 255 }), fromMe: Type.Boolean() }, { additionalProperties: true }),
    pushName: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
    message: Type.Record(Type.String(), Type.Unknown(), { description: 'A WhatsApp message object: conversation, imageMessage...' }),
    messageType: Type.Optional(Type.String()),
    profilePicUrl: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: true },
);
type InboundBody = Static<typeof InboundBody>;

/**
 * POST /webhook/evolution: the other system posts what its users sent. Authenticated with the instance's token in
 * `apikey` (or the global key), or with `x-hub-signature-256` = HMAC-SHA256 of the raw body keyed with that token;
 * anything else gets 401 (EVOLUTION_INBOUND_AUTH=false: upstream's unauthenticated behaviour). 200 once stored.
 */
export function evolutionWebhookRoutes(app: FastifyInstance, { gateway }: DriverRouteContext): void {
  const { config, registry, instances, logger } = gateway;
  const authenticate = config.evolution.inboundAuth;
  if (!authenticate) logger.warn('EVOLUTION_INBOUND_AUTH=false: /webhook/evolution accepts posts without apikey or signature (anyone can inject messages)');

  const instanceFor = (request: FastifyRequest, raw: Buffer, numberId: unknown): LiveInstance | undefined | 'refused' => {
    const candidates = typeof numberId === 'string' ? registry.all().filter((l) => l.instance.integration === INTEGRATION && l.instance.number === numberId) : [];
    if (!authenticate) return candidates[0];
    const apikey = typeof request.headers.apikey === 'string' ? request.headers.apikey : undefined;
    const signature = request.headers['x-hub-signature-256'];
    const own = candidates.find((l) => (apikey && registry.tokenMatches(l, apikey)) || (signature && hubSignatureValid(raw, signature, l.instance.token)));
    if (own) return own;
    if (apikey && secretsEqual(apikey, config.auth.apiKey)) return candidates[0];
    return 'refused';
  };

  rawBodyRoutes(app, (scope) => {
    scope.post(
      '/webhook/evolution',
      {
        // Webhook posts are small; an unauthenticated caller must not make the server parse megabytes before the check.
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          tags: ['evolution'],
          summary: 'A message for an EVOLUTION instance (apikey = its token, or x-hub-signature-256 keyed with it); 200 once stored',
          headers: Obj({ apikey: Type.Optional(Type.String()), 'x-hub-signature-256': Type.Optional(Type.String()) }, { additionalProperties: true }),
          response: { 200: Type.Union([Obj({ status: Type.String() }), Type.String()]), 400: errorResponses[400], 401: errorResponses[401], 503: errorResponses[400] },
        },
      },
      async (request, reply) => {
        const raw = request.body as Buffer;
        const body = parseJson(raw) as Partial<InboundBody> | undefined;
        const live = instanceFor(request, raw, body?.numberId);
        if (live === 'refused') throw unauthorized();
        // Upstream answers an unknown or missing numberId with 200 and an empty body.
        if (!live) return reply.status(200).type('text/plain').send('');
        if (!Value.Check(InboundBody, body)) throw badRequest(...[...Value.Errors(InboundBody, body)].slice(0, 5).map((e) => `${e.instancePath || 'body'} ${e.message}`));
        const message = {
          key: { id: body.key.id ?? randomUUID(), remoteJid: body.key.remoteJid, fromMe: body.key.fromMe },
          pushName: body.pushName ?? null,
          message: body.message,
          messageTimestamp: nowSeconds(),
          source: 'unknown',
        };
        const channel = live.channel as EvolutionChannel;
        await instances.channelCall(() => channel.receive(message, body.profilePicUrl ?? undefined));
        return { status: 'success' };
      },
    );
  });
}
