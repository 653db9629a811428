import { eventKey, listSelects, type GatewayEvent } from '../../domain/events.js';
import type { TransportSetting } from '../../storage/eventTransportRepository.js';
import { buildEnvelope, type EnvelopeOptions } from '../envelope.js';
import type { BusSwitches } from './config.js';
import type { Route } from '../outbox/store.js';

/** What every bus router needs: the envelope options and an instance's stored setting of a transport. */
export interface BusContext {
  envelope: EnvelopeOptions;
  settingOf(instanceId: string, kind: string): TransportSetting | undefined;
}

/**
 * Whether an event goes to a transport per instance (its stored setting is enabled and lists the event) and globally
 * (`<T>_GLOBAL_ENABLED` and the `<T>_EVENTS_<KEY>` flag), as upstream decides (transports.md, Common).
 */
export function selects(ctx: BusContext, kind: string, switches: BusSwitches, event: GatewayEvent): { instance: boolean; global: boolean } {
  if (!switches.enabled) return { instance: false, global: false };
  const setting = ctx.settingOf(event.instanceId, kind);
  return {
    instance: !!setting?.enabled && listSelects(setting.events, event.event),
    global: switches.global && switches.events.has(eventKey(event.event)),
  };
}

/** The 7-field envelope of WebSocket, RabbitMQ, NATS and MQTT (the webhook's, without `destination`), as JSON. */
export function envelopeJson(event: GatewayEvent, ctx: BusContext, extra?: Record<string, unknown>): string {
  return JSON.stringify(extra ? { ...buildEnvelope(event, ctx.envelope), ...extra } : buildEnvelope(event, ctx.envelope));
}

/**
 * The common router of a bus: the same body to the instance's target (its own setting) and to the global target
 * (global mode), each when selected.
 */
export function instanceAndGlobal(
  kind: string,
  switches: BusSwitches,
  ctx: BusContext,
  shape: { body(event: GatewayEvent): string; instance(event: GatewayEvent): string; global(event: GatewayEvent): string },
): (event: GatewayEvent) => Route[] {
  return (event) => {
    const on = selects(ctx, kind, switches, event);
    if (!on.instance && !on.global) return [];
    const body = shape.body(event);
    const routes: Route[] = [];
    if (on.instance) routes.push({ kind, target: shape.instance(event), body });
    if (on.global) routes.push({ kind, target: shape.global(event), body });
    return routes;
  };
}
