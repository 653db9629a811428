import { release } from 'node:os';
import type { Config } from '../../config.js';
import { ALL_SEND_KINDS, sendCapability, type Capability } from '../capabilities.js';
import type { ChannelDriver } from '../driver.js';
import { BaileysChannel } from './channel.js';
import { BaileysRuntime } from './runtime.js';
import { ApiError } from '../../domain/errors.js';

/** WhatsApp Web has no Meta templates: those are the Cloud API's. */
const SEND_KINDS = ALL_SEND_KINDS.filter((k) => k !== 'template');

const CAPABILITIES: Capability[] = [...SEND_KINDS.map(sendCapability), 'presence', 'receipts', 'numbers', 'profile', 'chats', 'privacy', 'labels', 'groups', 'business', 'media', 'login:qr', 'login:pairingCode', 'history'];

export interface BaileysDriver extends ChannelDriver {
  readonly runtime: BaileysRuntime;
  channelOf(instanceId: string): BaileysChannel | undefined;
}

/** `WHATSAPP-BAILEYS`: WhatsApp Web through the real Baileys library, one socket per instance. */
export function baileysDriver(config: Pick<Config, 'baileys' | 'qrcode'>): BaileysDriver {
  const b = config.baileys;
  const runtime = new BaileysRuntime(
    {
      ...(b.websocketUrl ? { websocketUrl: b.websocketUrl } : {}),
      browser: [b.phoneClient, b.phoneName, release()],
      qrRefreshMs: config.qrcode.refreshMs,
      qrLimit: config.qrcode.limit,
      qrColor: config.qrcode.color,
      connectTimeoutMs: b.connectTimeoutMs,
      queryTimeoutMs: b.sendTimeoutMs,
      sendTimeoutMs: b.sendTimeoutMs,
      ackTimeoutMs: b.ackTimeoutMs,
    },
    b,
  );
  const channels = new Map<string, WeakRef<BaileysChannel>>();
  return {
    integration: 'WHATSAPP-BAILEYS',
    capabilities: new Set(CAPABILITIES),
    runtime,
    create(ctx) {
      const channel = new BaileysChannel(ctx, runtime);
      channels.set(ctx.instanceId, new WeakRef(channel));
      return channel;
    },
    channelOf: (instanceId) => channels.get(instanceId)?.deref(),
    // Upstream's own answer for the Cloud API's templates on a Baileys instance.
    refusal: (capability) => (capability === 'send:template' || capability === 'templates' ? new ApiError(500, ['Method not available in the Baileys service']) : undefined),
    async start(services) {
      runtime.attach(services);
    },
    ready() {
      runtime.pacer.release();
    },
  };
}
