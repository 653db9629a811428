import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, EventList, InstanceParams, Loose, Obj } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { CONFIGURABLE_EVENT_KEYS } from '../../domain/events.js';
import { presentTransport } from '../presenters.js';
import type { EventTransportsConfig } from '../../events/transports/config.js';

/** The transports with /<kind>/set and /<kind>/find (MQTT is this project's addition, same shape). */
export const BUS_KINDS = ['websocket', 'rabbitmq', 'nats', 'sqs', 'kafka', 'pusher', 'mqtt'] as const;
export type BusKind = (typeof BUS_KINDS)[number];

const Plain = Obj({ enabled: Type.Boolean(), events: Type.Optional(EventList) });
const PusherFields = {
  enabled: Type.Boolean(),
  appId: Type.String({ minLength: 1, maxLength: 128 }),
  key: Type.String({ minLength: 1, maxLength: 256 }),
  secret: Type.String({ minLength: 1, maxLength: 256 }),
  cluster: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }),
  useTLS: Type.Boolean(),
  events: Type.Optional(EventList),
};
const PusherObject = Obj(PusherFields);

/** enabled:false stores no events; enabled with none (or without the list) stores every name. */
export function storedEvents(enabled: boolean, events: string[] | undefined): string[] {
  if (!enabled) return [];
  return events?.length ? [...new Set(events)] : [...CONFIGURABLE_EVENT_KEYS];
}

/** The `/instance/create` blocks (`enabled` is forced true when a block is present, as upstream). */
export const BusCreateFields = Object.fromEntries(
  BUS_KINDS.map((kind) => [kind, Type.Optional(kind === 'pusher' ? Obj({ ...PusherFields, enabled: Type.Optional(Type.Boolean()) }) : Obj({ enabled: Type.Optional(Type.Boolean()), events: Type.Optional(EventList) }))]),
);

/**
 * Stores the transport blocks of an `/instance/create` body (those of transports enabled on this server) and answers
 * them as upstream: `{enabled: true}` per block sent, `{}` otherwise.
 */
export async function storeCreateBlocks(gateway: RouteContext['gateway'], live: LiveInstance, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const answer: Record<string, unknown> = {};
  for (const kind of BUS_KINDS) {
    const block = body[kind] as ({ events?: string[] } & Record<string, unknown>) | undefined;
    if (!block || !enabledGlobally(gateway.config.events, kind)) continue;
    const settings = kind === 'pusher' ? { appId: block.appId, key: block.key, secret: block.secret, cluster: block.cluster, useTLS: block.useTLS } : null;
    live.transports.set(kind, await gateway.repos.eventTransports.upsert(live.id, kind, { enabled: true, events: storedEvents(true, block.events), settings }));
    answer[kind] = { enabled: true };
  }
  return answer;
}

function enabledGlobally(config: EventTransportsConfig, kind: BusKind): boolean {
  return config[kind].enabled;
}

export function eventTransportRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  for (const kind of BUS_KINDS) {
    const Body = Obj({ [kind]: kind === 'pusher' ? PusherObject : Plain });
    const tags = [kind];
    app.post<{ Params: { instanceName: string }; Body: Static<typeof Body> }>(
      `/${kind}/set/:instanceName`,
      { onRequest: guards.instance, schema: { tags, summary: `Set the instance's ${kind} events (empty answer when ${kind.toUpperCase()}_ENABLED is off)`, params: InstanceParams, body: Body, response: { 201: Type.Union([Loose(`${kind} row`), Type.Null()]), ...errorResponses } } },
      async (request, reply) => {
        reply.status(201);
        // Upstream answers nothing (its service is absent) when the transport is off; Pusher's set still stores.
        if (!enabledGlobally(gateway.config.events, kind) && kind !== 'pusher') return reply.send();
        const live = request.live as LiveInstance;
        const input = (request.body as Record<string, { enabled: boolean; events?: string[] } & Record<string, unknown>>)[kind]!;
        const settings = kind === 'pusher' ? { appId: input.appId, key: input.key, secret: input.secret, cluster: input.cluster, useTLS: input.useTLS } : null;
        const saved = await gateway.repos.eventTransports.upsert(live.id, kind, { enabled: input.enabled, events: storedEvents(input.enabled, input.events), settings });
        live.transports.set(kind, saved);
        return presentTransport(saved);
      },
    );
    app.get<{ Params: { instanceName: string } }>(
      `/${kind}/find/:instanceName`,
      { onRequest: guards.instance, schema: { tags, summary: `The instance's ${kind} events, or null (empty answer when ${kind.toUpperCase()}_ENABLED is off)`, params: InstanceParams, response: { 200: Type.Union([Loose(`${kind} row`), Type.Null()]), ...errorResponses } } },
      async (request, reply) => {
        if (!enabledGlobally(gateway.config.events, kind)) return reply.send();
        const t = (request.live as LiveInstance).transports.get(kind);
        return t ? presentTransport(t) : null;
      },
    );
  }
}
