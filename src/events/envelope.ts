import type { GatewayEvent } from '../domain/events.js';

/** The upstream envelope every transport sends; `destination` only for webhooks. */
export interface EventEnvelope {
  event: string;
  instance: string;
  data: unknown;
  destination?: string;
  date_time: string;
  sender?: string;
  server_url?: string;
  apikey: string | null;
}

export interface EnvelopeOptions {
  serverUrl?: string;
  exposeToken: boolean;
}

export function buildEnvelope(event: GatewayEvent, options: EnvelopeOptions, destination?: string): EventEnvelope {
  return {
    event: event.event,
    instance: event.instanceName,
    data: event.data,
    ...(destination !== undefined ? { destination } : {}),
    date_time: event.createdAt.toISOString(),
    ...(event.sender ? { sender: event.sender } : {}),
    ...(options.serverUrl ? { server_url: options.serverUrl } : {}),
    apikey: options.exposeToken ? (event.token ?? 'Apikey not found') : null,
  };
}
