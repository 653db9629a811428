import type { Capability } from '../capabilities.js';
import { sendCapability } from '../capabilities.js';
import type { ContentKind } from '../content.js';
import type { ChannelDriver } from '../driver.js';
import { EvolutionChannel } from './channel.js';
import { evolutionOutboundRoutes } from './outboundRoutes.js';
import { evolutionWebhookRoutes, INTEGRATION } from './webhook.js';

/** What the generic channel passes on: the message kinds another system can render from WhatsApp message JSON. */
const SEND_KINDS: ContentKind[] = ['text', 'image', 'video', 'document', 'audio', 'sticker', 'location', 'contacts', 'reaction', 'list', 'buttons'];

/** The generic EVOLUTION channel: inbound through /webhook/evolution, outbound as send.message (and the instance's outbound endpoint). */
export function evolutionDriver(): ChannelDriver {
  const channels = new Map<string, WeakRef<EvolutionChannel>>();
  return {
    integration: INTEGRATION,
    capabilities: new Set<Capability>(SEND_KINDS.map(sendCapability)),
    create(ctx) {
      const channel = new EvolutionChannel(ctx);
      channels.set(ctx.instanceId, new WeakRef(channel));
      void channel.loadSettings().catch(() => undefined).then(() => channel.connect());
      return channel;
    },
    eventTargets(event) {
      if (event.event !== 'send.message') return [];
      const outbound = channels.get(event.instanceId)?.deref()?.outbound;
      return outbound ? [{ url: outbound.url, headers: outbound.headers ?? null, secret: outbound.secret ?? null }] : [];
    },
    routes(app, context) {
      evolutionWebhookRoutes(app, context);
      evolutionOutboundRoutes(app, context);
    },
  };
}
