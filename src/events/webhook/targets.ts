import type { Config } from '../../config.js';
import { eventKey, eventSuffix, listSelects, type GatewayEvent } from '../../domain/events.js';
import type { WebhookConfig } from '../../domain/types.js';
import { buildEnvelope, type EnvelopeOptions } from '../envelope.js';

export type WebhookLookup = (instanceId: string) => WebhookConfig | undefined;

/** One delivery of one event to one URL. */
export interface WebhookTarget {
  url: string;
  body: string;
  /** Custom headers as configured (jwt_key is turned into a bearer token at send time). */
  headers: Record<string, string> | null;
  secret: string | null;
}

/** A destination a channel adds for some of its instances' events (the Evolution channel's outbound endpoint). */
export interface ChannelTarget {
  url: string;
  headers: Record<string, string> | null;
  secret: string | null;
}

export interface TargetOptions {
  global: Config['webhook']['global'];
  envelope: EnvelopeOptions;
  lookup: WebhookLookup;
  /** Destinations the instance's channel adds to this event, delivered through the same outbox. */
  channel?: (event: GatewayEvent) => ChannelTarget[];
}

/**
 * Where an event goes: the instance webhook (when enabled and its events list selects it) and the global webhook
 * (when enabled and its WEBHOOK_EVENTS_<KEY> flag is on). Upstream sends the same body to both: `destination`
 * is the instance URL when one is stored, otherwise the global URL with the event suffix.
 */
export function resolveTargets(event: GatewayEvent, opts: TargetOptions): WebhookTarget[] {
  const hook = opts.lookup(event.instanceId);
  const { global } = opts;
  const instanceTarget = hook && hook.enabled && /^https?:\/\//i.test(hook.url) && (hook.events.length === 0 || listSelects(hook.events, event.event));
  const globalTarget = global.enabled && global.url && global.events[eventKey(event.event)] !== false;
  const channelTargets = opts.channel?.(event) ?? [];
  if (!instanceTarget && !globalTarget && !channelTargets.length) return [];

  const destination = hook?.url ?? `${global.url}/${eventSuffix(event.event)}`;
  const body = JSON.stringify(buildEnvelope(event, opts.envelope, destination));
  const targets: WebhookTarget[] = [];
  if (instanceTarget) {
    const url = hook.webhookByEvents ? `${hook.url.replace(/\/+$/, '')}/${eventSuffix(event.event)}` : hook.url;
    targets.push({ url, body, headers: hook.headers, secret: hook.secret });
  }
  if (globalTarget) {
    const url = global.byEvents ? `${global.url}/${eventSuffix(event.event)}` : global.url!;
    targets.push({ url, body, headers: null, secret: global.secret ?? null });
  }
  for (const t of channelTargets) targets.push({ url: t.url, body: JSON.stringify(buildEnvelope(event, opts.envelope, t.url)), headers: t.headers, secret: t.secret });
  return targets;
}

/** The webhook targets of an event as outbox routes. */
export function webhookRouter(opts: TargetOptions): (event: GatewayEvent) => Array<{ kind: 'webhook'; target: string; body: string; options: Record<string, string> | null; secret: string | null }> {
  return (event) => resolveTargets(event, opts).map((t) => ({ kind: 'webhook', target: t.url, body: t.body, options: t.headers, secret: t.secret }));
}
