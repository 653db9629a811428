import type { Config } from '../../config.js';
import type { Capability } from '../capabilities.js';
import { ALL_SEND_KINDS, sendCapability } from '../capabilities.js';
import type { ChannelDriver } from '../driver.js';
import { SandboxChannel } from './channel.js';
import { SandboxNetwork } from './network.js';
import { sandboxRoutes } from './routes.js';
import { messageControls } from './controls/messages.js';
import { groupControls } from './controls/groups.js';
import { contactControls } from './controls/contacts.js';
import { callControls } from './controls/calls.js';

/** What the simulated phones do: everything a WhatsApp Web client does, plus a business account's templates. */
const CAPABILITIES: Capability[] = [
  ...ALL_SEND_KINDS.map(sendCapability),
  'templates',
  'presence',
  'receipts',
  'numbers',
  'profile',
  'groups',
  'chats',
  'privacy',
  'labels',
  'calls',
  'business',
  'login:qr',
  'login:pairingCode',
  'history',
  'media',
];

export interface SandboxDriver extends ChannelDriver {
  readonly network: SandboxNetwork;
  /** The channel of a sandbox instance, for the control routes. */
  channelOf(instanceId: string): SandboxChannel | undefined;
}

/** The built-in simulated network: phones, contacts and WhatsApp's server in one process, no internet needed. */
export function sandboxDriver(config: Pick<Config, 'qrcode' | 'sandbox'>): SandboxDriver {
  const network = new SandboxNetwork(config.sandbox.ackDelayMs);
  const channels = new Map<string, WeakRef<SandboxChannel>>();
  const driver: SandboxDriver = {
    integration: 'SANDBOX',
    capabilities: new Set(CAPABILITIES),
    network,
    create(ctx) {
      const channel = new SandboxChannel(ctx, { network, qrLimit: config.qrcode.limit, qrRefreshMs: config.qrcode.refreshMs, qrColor: config.qrcode.color });
      channels.set(ctx.instanceId, new WeakRef(channel));
      return channel;
    },
    channelOf: (instanceId) => channels.get(instanceId)?.deref(),
    routes: (app, context) => {
      sandboxRoutes(app, context, driver);
      messageControls(app, context, driver);
      groupControls(app, context, driver);
      contactControls(app, context, driver);
      callControls(app, context, driver);
    },
    async close() {
      network.close();
    },
  };
  return driver;
}
