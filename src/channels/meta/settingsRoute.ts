import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../driver.js';
import { errorResponses, InstanceParams, Obj } from '../../http/schemas.js';
import { badRequest } from '../../domain/errors.js';
import type { LiveInstance } from '../../domain/registry.js';
import { APP_SECRET, MetaChannel } from './channel.js';

const Body = Obj({ appSecret: Type.Union([Type.String({ minLength: 8, maxLength: 256 }), Type.Null()], { description: "The Meta app secret that signs this number's webhooks; null goes back to WA_BUSINESS_APP_SECRET" }) });

/** POST /meta/appSecret/{instance}: a number whose webhooks come from another Meta app than WA_BUSINESS_APP_SECRET's. */
export function metaSettingsRoutes(app: FastifyInstance, { guards }: DriverRouteContext): void {
  app.post<{ Params: { instanceName: string }; Body: Static<typeof Body> }>(
    '/meta/appSecret/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['meta'], summary: "Sets (or clears) this Cloud API number's own webhook app secret; stored sealed, never shown", params: InstanceParams, body: Body, response: { 200: Obj({ appSecret: Type.String({ description: '"set" or "cleared"' }) }), ...errorResponses } } },
    async (request) => {
      const live = request.live as LiveInstance;
      if (!(live.channel instanceof MetaChannel)) throw badRequest(`The "${live.name}" instance is not a WHATSAPP-BUSINESS instance`);
      const { appSecret } = request.body;
      await live.channel.ctx.keys.set({ [APP_SECRET.type]: { [APP_SECRET.id]: appSecret } });
      live.channel.appSecret = appSecret ?? undefined;
      return { appSecret: appSecret === null ? 'cleared' : 'set' };
    },
  );
}
