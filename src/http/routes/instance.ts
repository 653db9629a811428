import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { ConnectionStateResponse, errorResponses, InstanceParams, Loose, Obj, QrResponse, SettingsFields, WebhookObject } from '../schemas.js';
import { badRequest, notFound } from '../../domain/errors.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { WebhookInput } from '../../storage/webhookRepository.js';
import { presentInstances } from '../presenters.js';
import { ChatwootCreateFields, baseUrlOf } from './chatwoot.js';
import { BusCreateFields, storeCreateBlocks } from './eventTransports.js';

const CreateBody = Obj({
  instanceName: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/?#\\s]+$' }),
  integration: Type.Optional(Type.String({ description: 'SANDBOX (built in). WHATSAPP-BAILEYS, WHATSAPP-BUSINESS and EVOLUTION are accepted names; a server answers 400 for one it does not run.' })),
  token: Type.Optional(Type.String({ minLength: 8, maxLength: 255 })),
  qrcode: Type.Optional(Type.Boolean()),
  number: Type.Optional(Type.String({ pattern: '^\\d+[\\.@\\w-]*$' })),
  businessId: Type.Optional(Type.String()),
  ...Object.fromEntries(Object.entries(SettingsFields).map(([k, v]) => [k, Type.Optional(v)])),
  webhook: Type.Optional(Type.Union([Type.String({ pattern: '^https?://', description: 'A plain URL: enabled for all events' }), WebhookObject])),

  proxyHost: Type.Optional(Type.String({ description: 'With proxyPort and proxyProtocol: the proxy is tested and stored as /proxy/set does' })),
  proxyPort: Type.Optional(Type.String()),
  proxyProtocol: Type.Optional(Type.String({ description: 'http, https, socks4 or socks5' })),
  proxyUsername: Type.Optional(Type.String()),
  proxyPassword: Type.Optional(Type.String({ description: 'Stored sealed; answers show it masked' })),
  ...ChatwootCreateFields,
  ...BusCreateFields,
});
type CreateBody = Static<typeof CreateBody>;

const PresenceBody = Obj({ presence: Type.String({ enum: ['unavailable', 'available', 'composing', 'recording', 'paused'] }) });
const FetchQuery = Obj({ instanceName: Type.Optional(Type.String()), instanceId: Type.Optional(Type.String()), number: Type.Optional(Type.String()) });
const ConnectQuery = Obj({ number: Type.Optional(Type.String({ pattern: '^\\d+$' })) });
const SuccessResponse = Obj({ status: Type.String(), error: Type.Boolean(), response: Obj({ message: Type.String() }) });

const tags = ['instance'];

export function instanceRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const { instances } = gateway;

  app.post<{ Body: CreateBody }>(
    '/instance/create',
    { onRequest: guards.global, schema: { tags, summary: 'Create an instance', body: CreateBody, response: { 201: Loose('instance, hash, webhook, settings, qrcode'), 403: errorResponses[400], 400: errorResponses[400], 401: errorResponses[401] } } },
    async (request, reply) => {
      const body = request.body;
      if (!body.integration) throw badRequest('Invalid integration');
      const settings = pickSettings(body as Record<string, unknown>);
      const webhook = toWebhookInput(body.webhook);
      const { proxyHost: host, proxyPort: port, proxyProtocol: protocol } = body;
      const proxy = host && port && protocol ? { enabled: true, host, port, protocol, username: body.proxyUsername ?? '', password: body.proxyPassword ?? '' } : undefined;
      const result = await instances.create({ instanceName: body.instanceName, integration: body.integration, token: body.token, qrcode: body.qrcode, number: body.number, businessId: body.businessId, settings, webhook, proxy });
      const { instance } = result.live;
      // As upstream, a failure after the row was written removes the instance again.
      const chatwoot = await gateway.chatwoot.setAtCreate(result.live, body as Record<string, unknown>, baseUrlOf(request, gateway.config.server.url)).catch(async (err) => {
        await instances.delete(instance.name).catch(() => undefined);
        throw err;
      });
      const buses = await storeCreateBlocks(gateway, result.live, body as Record<string, unknown>);
      reply.status(201);
      return {
        instance: { instanceName: instance.name, instanceId: instance.id, integration: instance.integration, ...businessWebhook(gateway.config, instance.integration), status: result.live.channel.state },
        hash: instance.token,
        webhook: result.webhook ? { webhookUrl: result.webhook.url, webhookHeaders: result.webhook.headers ?? undefined, webhookByEvents: result.webhook.webhookByEvents, webhookBase64: result.webhook.webhookBase64 } : {},
        websocket: {},
        rabbitmq: {},
        nats: {},
        sqs: {},
        ...buses,
        settings: result.settings,
        ...(result.qrcode ? { qrcode: result.qrcode } : {}),
        ...(chatwoot ? { chatwoot: { ...chatwoot, webhookUrl: chatwoot.webhook_url } } : {}),
      };
    },
  );

  app.get<{ Params: { instanceName: string }; Querystring: { number?: string } }>(
    '/instance/connect/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Connect: QR code (or pairing code with ?number=), or the state when already open', params: InstanceParams, querystring: ConnectQuery, response: { 200: Type.Union([ConnectionStateResponse, QrResponse]), ...errorResponses } } },
    async (request) => instances.connect(request.params.instanceName, request.query.number),
  );

  app.get<{ Params: { instanceName: string } }>(
    '/instance/connectionState/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Connection state', params: InstanceParams, response: { 200: ConnectionStateResponse, ...errorResponses } } },
    async (request) => {
      const live = request.live as LiveInstance;
      return { instance: { instanceName: live.name, state: live.channel.state } };
    },
  );

  app.get<{ Querystring: Static<typeof FetchQuery> }>(
    '/instance/fetchInstances',
    { onRequest: guards.globalOrToken, schema: { tags, summary: 'List instances (all with the global key; its own with an instance token)', querystring: FetchQuery, response: { 200: Type.Array(Loose()), 401: errorResponses[401], 404: errorResponses[404] } } },
    async (request) => {
      const { instanceName, instanceId, number } = request.query;
      const visible = request.isAdmin ? gateway.registry.all() : gateway.registry.byToken(String(request.headers.apikey));
      const matches = visible.filter((l) => (instanceName === undefined || l.name === instanceName) && (instanceId === undefined || l.id === instanceId) && (number === undefined || l.instance.number === number));
      if ((instanceName !== undefined || instanceId !== undefined) && !matches.length) throw notFound(`Instance "${instanceName ?? instanceId}" not found`);
      return presentInstances(gateway, matches);
    },
  );

  for (const method of ['POST', 'PUT'] as const) {
    app.route<{ Params: { instanceName: string } }>({
      method,
      url: '/instance/restart/:instanceName',
      onRequest: guards.instance,
      schema: { tags, summary: 'Restart the connection (behaves like connect afterwards)', params: InstanceParams, response: { 200: Type.Union([ConnectionStateResponse, QrResponse]), ...errorResponses } },
      handler: async (request) => instances.restart(request.params.instanceName),
    });
  }

  app.post<{ Params: { instanceName: string }; Body: Static<typeof PresenceBody> }>(
    '/instance/setPresence/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Set own presence', params: InstanceParams, body: PresenceBody, response: { 201: Obj({ presence: Type.String() }), ...errorResponses } } },
    async (request, reply) => {
      await instances.setPresence(request.params.instanceName, request.body.presence as never);
      reply.status(201);
      return { presence: request.body.presence };
    },
  );

  app.delete<{ Params: { instanceName: string } }>(
    '/instance/logout/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Log out (a new QR is needed to connect again)', params: InstanceParams, response: { 200: SuccessResponse, ...errorResponses } } },
    async (request) => {
      await instances.logout(request.params.instanceName);
      return { status: 'SUCCESS', error: false, response: { message: 'Instance logged out' } };
    },
  );

  app.delete<{ Params: { instanceName: string } }>(
    '/instance/delete/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Delete the instance and everything stored for it', params: InstanceParams, response: { 200: SuccessResponse, ...errorResponses } } },
    async (request) => {
      await instances.delete(request.params.instanceName);
      return { status: 'SUCCESS', error: false, response: { message: 'Instance deleted' } };
    },
  );
}

/** Upstream tells a Cloud API instance where Meta must post its webhooks and with which verify token. */
function businessWebhook(config: RouteContext['gateway']['config'], integration: string) {
  if (integration !== 'WHATSAPP-BUSINESS') return { webhookWaBusiness: null, accessTokenWaBusiness: '' };
  return { webhookWaBusiness: `${config.server.url ?? ''}/webhook/meta`, accessTokenWaBusiness: config.meta.webhookToken };
}

function pickSettings(body: Record<string, unknown>) {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SettingsFields)) if (body[key] !== undefined) out[key] = body[key];
  return out;
}

/** The create body's webhook: a URL string (as the parent hub sends it) or the v2 object. */
function toWebhookInput(webhook: CreateBody['webhook']): WebhookInput | undefined {
  if (webhook === undefined) return undefined;
  if (typeof webhook === 'string') return { url: webhook, headers: null, enabled: true, events: [], webhookByEvents: false, webhookBase64: false };
  if (!/^https?:\/\//i.test(webhook.url)) throw badRequest('Invalid "url" property in webhook');
  return { url: webhook.url, headers: webhook.headers ?? null, enabled: true, events: webhook.events ?? [], webhookByEvents: webhook.byEvents ?? false, webhookBase64: webhook.base64 ?? false, secret: webhook.secret ?? null };
}
