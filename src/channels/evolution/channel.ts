import type { Channel, QrCode } from '../channel.js';
import { AlwaysOpenChannel } from '../alwaysOpenChannel.js';
import type { Outbound, SentMessage } from '../content.js';
import type { ChannelEvent, InboundMessage } from '../events.js';
import { toWhatsAppMessage } from '../whatsapp/wire.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';

/** Where a send of this instance is also POSTed (its envelope, through the outbox), with optional headers and signing secret. */
export interface OutboundEndpoint {
  url: string;
  headers?: Record<string, string>;
  secret?: string;
}

export const OUTBOUND = { type: 'evolution', id: 'outbound' } as const;

/**
 * The generic channel: another system is the phone. What a client sends is recorded and announced (send.message,
 * also POSTed to the instance's outbound endpoint when one is set); what the other system posts to /webhook/evolution
 * arrives as received messages. Always open, as upstream's.
 */
export class EvolutionChannel extends AlwaysOpenChannel implements Channel {
  outbound: OutboundEndpoint | undefined;

  /** The channel id of /instance/create's `number`: how /webhook/evolution names this instance (`numberId`). */
  get numberId(): string | null {
    return this.ctx.number;
  }

  async connect(): Promise<QrCode | null> {
    this._state = 'open';
    const wuid = this.ctx.number && /^\d+$/.test(this.ctx.number) ? `${this.ctx.number}@s.whatsapp.net` : undefined;
    // Saved credentials make a restart reopen the instance, as for every channel.
    this.report({ type: 'credentials', state: { numberId: this.ctx.number } }, { type: 'connection', update: { state: 'open', statusReason: 200, ...(wuid ? { wuid } : {}) } });
    return null;
  }

  async send(out: Outbound): Promise<SentMessage> {
    return { key: { remoteJid: out.remoteJid, fromMe: true, id: out.options.keyId ?? messageKeyId() }, messageTimestamp: nowSeconds(), message: toWhatsAppMessage(out) };
  }

  /** Messages the other system posted; resolves once stored (rejects with HoldBack when the gateway is full). */
  receive(message: InboundMessage, profilePicUrl?: string): Promise<void> {
    const events: ChannelEvent[] = [{ type: 'messages', mode: 'live', messages: [message] }];
    if (profilePicUrl && !message.key.fromMe) events.push({ type: 'contacts', action: 'upsert', contacts: [{ remoteJid: message.key.remoteJid, pushName: message.pushName, profilePicUrl }] });
    return this.ctx.listener.deliver(events);
  }

  async loadSettings(): Promise<void> {
    const stored = await this.ctx.keys.get<OutboundEndpoint>(OUTBOUND.type, [OUTBOUND.id]);
    this.outbound = stored[OUTBOUND.id];
  }

  async setOutbound(endpoint: OutboundEndpoint | null): Promise<void> {
    await this.ctx.keys.set({ [OUTBOUND.type]: { [OUTBOUND.id]: endpoint } });
    this.outbound = endpoint ?? undefined;
  }

}
