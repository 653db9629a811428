import type { Gateway } from '../gateway.js';
import type { LiveInstance } from '../domain/registry.js';
import type { WebhookConfig } from '../domain/types.js';
import { proxyServiceOf } from '../domain/proxies.js';
import type { TransportSetting } from '../storage/eventTransportRepository.js';

/** fetchInstances rows in upstream's Prisma shape: the instance columns, its relations, and counts. */
export async function presentInstances(gateway: Gateway, lives: LiveInstance[]) {
  const ids = lives.map((l) => l.id);
  const [counts, settings, proxies] = await Promise.all([gateway.repos.counters.counts(ids), gateway.repos.settings.findMany(ids), proxyServiceOf(gateway).findMany(ids)]);
  return lives.map((live) => {
    const { tokenHash: _hash, token, ...i } = live.instance;
    return {
      id: i.id,
      name: i.name,
      connectionStatus: live.channel.state,
      ownerJid: i.ownerJid,
      profileName: i.profileName,
      profilePicUrl: i.profilePicUrl,
      integration: i.integration,
      number: i.number,
      businessId: i.businessId,
      token,
      clientName: i.clientName,
      disconnectionReasonCode: i.disconnectionReasonCode,
      disconnectionObject: i.disconnectionObject,
      disconnectionAt: i.disconnectionAt,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      Chatwoot: gateway.chatwoot.row(i.id),
      Proxy: proxies.get(i.id) ?? null,
      Rabbitmq: transportOf(live, 'rabbitmq'),
      Nats: transportOf(live, 'nats'),
      Sqs: transportOf(live, 'sqs'),
      Websocket: transportOf(live, 'websocket'),
      Setting: settings.get(i.id) ?? null,
      _count: counts.get(i.id) ?? { Message: 0, Contact: 0, Chat: 0 },
    };
  });
}

/** The Webhook row as /webhook/find and /webhook/set return it. */
export function presentWebhook(w: WebhookConfig) {
  return { id: w.id, url: w.url, headers: w.headers, enabled: w.enabled, events: w.events, webhookByEvents: w.webhookByEvents, webhookBase64: w.webhookBase64, createdAt: w.createdAt, updatedAt: w.updatedAt, instanceId: w.instanceId };
}

/** The stored row as upstream answers it; Pusher's secret is never answered (docs/compatibility.md). */
export function presentTransport(t: TransportSetting) {
  const base = { id: t.id, enabled: t.enabled, events: t.events, createdAt: t.createdAt, updatedAt: t.updatedAt, instanceId: t.instanceId };
  if (t.kind !== 'pusher' || !t.settings) return base;
  const s = t.settings as { appId: string; key: string; cluster: string; useTLS: boolean };
  return { ...base, appId: s.appId, key: s.key, secret: null, cluster: s.cluster, useTLS: s.useTLS };
}

function transportOf(live: LiveInstance, kind: string) {
  const t = live.transports.get(kind);
  return t ? presentTransport(t) : null;
}
