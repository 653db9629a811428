import type { Config } from '../../config.js';
import type { Capability } from '../capabilities.js';
import { sendCapability } from '../capabilities.js';
import type { ContentKind } from '../content.js';
import type { ChannelDriver } from '../driver.js';
import { DurableInbox } from '../inbound/durableInbox.js';
import { GraphClient } from './graph.js';
import { RateLimiter } from './rateLimit.js';
import { MetaChannel } from './channel.js';
import { INTEGRATION, metaPayloadHandler } from './payload.js';
import { metaWebhookRoutes } from './webhook.js';
import { metaSettingsRoutes } from './settingsRoute.js';

/** What the Cloud API sends. No polls, edits, deletes, status posts or round videos: it has none. */
const SEND_KINDS: ContentKind[] = ['text', 'image', 'video', 'document', 'audio', 'sticker', 'location', 'contacts', 'reaction', 'list', 'buttons', 'template'];
const CAPABILITIES: Capability[] = [...SEND_KINDS.map(sendCapability), 'receipts', 'templates', 'media'];

export interface MetaDriver extends ChannelDriver {
  /** The inbox of /webhook/meta (set once the routes are registered). */
  inbox(): DurableInbox | undefined;
}

/** The Meta WhatsApp Cloud API (integration WHATSAPP-BUSINESS): one Graph pool and one send queue per phone number for all instances. */
export function metaDriver(config: Pick<Config, 'meta'>): MetaDriver {
  const limiter = new RateLimiter(config.meta.ratePerSecond);
  const graph = new GraphClient({ baseUrl: `${config.meta.graphUrl}/${config.meta.version}`, timeoutMs: config.meta.requestTimeoutMs, maxAttempts: config.meta.maxAttempts, limiter });
  let inbox: DurableInbox | undefined;
  let warn = (_message: string, _details: Record<string, unknown>) => undefined as void;
  const sweeper = setInterval(() => limiter.sweep(), 60_000);
  sweeper.unref();
  return {
    integration: INTEGRATION,
    capabilities: new Set(CAPABILITIES),
    create(ctx) {
      const channel = new MetaChannel(ctx, { graph, config: config.meta, warn: (m, d) => warn(m, d) });
      // No login: the number is open at once and Graph is asked who it is (in the background, as upstream answers "open").
      void channel.loadSettings().catch(() => undefined).then(() => channel.connect());
      return channel;
    },
    routes(app, context) {
      const logger = context.gateway.logger.child({ channel: INTEGRATION });
      warn = (message, details) => logger.warn(details, message);
      inbox = new DurableInbox('meta', context.gateway.repos.inbox, metaPayloadHandler(context.gateway, logger), logger);
      metaWebhookRoutes(app, context, inbox);
      metaSettingsRoutes(app, context);
      inbox.start();
    },
    inbox: () => inbox,
    async close() {
      clearInterval(sweeper);
      await inbox?.close();
      await graph.close();
    },
  };
}
