import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../driver.js';
import { errorResponses, InstanceParams, Obj } from '../../http/schemas.js';
import { badRequest } from '../../domain/errors.js';
import type { LiveInstance } from '../../domain/registry.js';
import { assertTenantUrl } from '../../security/addressGuard.js';
import { EvolutionChannel, type OutboundEndpoint } from './channel.js';

const Endpoint = Obj({
  url: Type.String({ pattern: '^https?://', maxLength: 2048, description: 'Each send.message envelope of this instance is POSTed here too' }),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  secret: Type.Optional(Type.String({ minLength: 8, maxLength: 256, description: 'Signs the posts as webhooks are signed; stored sealed, never shown' })),
});
const SetBody = Obj({ outbound: Type.Union([Endpoint, Type.Null()]) });
const View = Type.Union([Obj({ url: Type.String(), headers: Type.Record(Type.String(), Type.String()), signed: Type.Boolean() }), Type.Null()]);

const view = (o: OutboundEndpoint | undefined) => (o ? { url: o.url, headers: o.headers ?? {}, signed: Boolean(o.secret) } : null);

function channelOf(live: LiveInstance): EvolutionChannel {
  if (!(live.channel instanceof EvolutionChannel)) throw badRequest(`The "${live.name}" instance is not an EVOLUTION instance`);
  return live.channel;
}

/** The outbound endpoint of an EVOLUTION instance: set (or cleared with null) and read back. */
export function evolutionOutboundRoutes(app: FastifyInstance, { gateway, guards }: DriverRouteContext): void {
  const schema = { tags: ['evolution'], params: InstanceParams };
  app.post<{ Params: { instanceName: string }; Body: Static<typeof SetBody> }>(
    '/evolution/outbound/:instanceName',
    { onRequest: guards.instance, schema: { ...schema, summary: "Sets the instance's outbound endpoint (null clears it)", body: SetBody, response: { 200: Obj({ outbound: View }), ...errorResponses } } },
    async (request) => {
      const channel = channelOf(request.live as LiveInstance);
      const { outbound } = request.body;
      if (outbound) await assertTenantUrl(outbound.url, { allowPrivate: gateway.config.media.allowPrivateUrls }, 'outbound endpoint');
      await channel.setOutbound(outbound);
      return { outbound: view(channel.outbound) };
    },
  );
  app.get<{ Params: { instanceName: string } }>(
    '/evolution/outbound/:instanceName',
    { onRequest: guards.instance, schema: { ...schema, summary: "The instance's outbound endpoint (the secret is never shown)", response: { 200: Obj({ outbound: View }), ...errorResponses } } },
    async (request) => ({ outbound: view(channelOf(request.live as LiveInstance).outbound) }),
  );
}
