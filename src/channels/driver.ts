import type { FastifyInstance } from 'fastify';
import type { Capability } from './capabilities.js';
import type { Channel, ChannelContext } from './channel.js';
import type { ApiError } from '../domain/errors.js';
import type { Gateway } from '../gateway.js';
import type { Guards } from '../http/auth.js';
import type { GatewayEvent } from '../domain/events.js';
import type { ChannelTarget } from '../events/webhook/targets.js';
import type { Repositories } from '../storage/repositories.js';
import type { MediaService } from '../media/service.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from 'pino';

/** What a driver's own routes get: the gateway's services and the auth guards. */
export interface DriverRouteContext {
  gateway: Gateway;
  guards: Guards;
}

/** What the gateway lends drivers at start: the message store (retries), the media store (bytes to send), metrics, logs. */
export interface DriverServices {
  repos: Repositories;
  media: MediaService;
  metrics: Metrics;
  logger: Logger;
}

/**
 * One channel: its integration name, what it can do, how it makes the channel of one instance, and optionally routes
 * and shared resources of its own (inbound webhooks, simulator controls). The gateway registers drivers in one list.
 */
export interface ChannelDriver {
  /** The `integration` value of /instance/create: SANDBOX, WHATSAPP-BAILEYS, WHATSAPP-BUSINESS, EVOLUTION. */
  readonly integration: string;
  readonly capabilities: ReadonlySet<Capability>;
  create(context: ChannelContext): Channel;
  /**
   * The error a client gets for an operation this channel lacks, where upstream answers something specific
   * (Baileys' 500 "Method not available in the Baileys service"); undefined means the generic 501.
   */
  refusal?(capability: Capability): ApiError | undefined;
  /** Routes of this driver, registered with the gateway's other routes. */
  routes?(app: FastifyInstance, context: DriverRouteContext): void;
  /**
   * Destinations this driver adds to an event of one of its instances, besides the instance's webhooks (the Evolution
   * channel's outbound endpoint); they go through the same durable outbox.
   */
  eventTargets?(event: GatewayEvent): ChannelTarget[];
  start?(services: DriverServices): Promise<void>;
  /** The server is listening: background work that would slow its start (restoring sessions) may begin. */
  ready?(): void;
  close?(): Promise<void>;
}
