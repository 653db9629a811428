import type { MessageKey } from '../../domain/types.js';
import type { Channel, ChannelContext, QrCode } from '../channel.js';
import { AlwaysOpenChannel } from '../alwaysOpenChannel.js';
import type { Outbound, SentMessage } from '../content.js';
import type { MessageUpdate } from '../events.js';
import { ChannelError } from '../errors.js';
import { GraphError } from '../operations/templates.js';
import { toWhatsAppMessage } from '../whatsapp/wire.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import type { MetaConfig } from '../../config.js';
import { GraphUnavailable, type GraphClient } from './graph.js';
import { graphMessage, readReceipt } from './outbound.js';
import { inboundMessages, statusUpdates, type MessagesValue } from './inbound.js';
import { MetaMedia } from './media.js';
import { MetaTemplates } from './templates.js';

export interface MetaCredentials {
  wuid: string | null;
  profileName: string | null;
}

export interface MetaDeps {
  graph: GraphClient;
  config: MetaConfig;
  warn(message: string, details: Record<string, unknown>): void;
}

/** Saved per instance: the message id a send was recorded under when Graph only took it after retries (wamid -> id). */
const LATE_SENDS = 'meta-late-send';
/** Saved per instance: the app secret that signs this number's webhooks, when it is not WA_BUSINESS_APP_SECRET. */
export const APP_SECRET = { type: 'meta', id: 'appSecret' } as const;

/**
 * One WhatsApp Business phone number on the Cloud API. There is no login: the channel is open once it exists, as
 * upstream's, and connecting only asks Graph who the number is. Sends go through the number's rate-limited queue;
 * what Meta tells about the number arrives through /webhook/meta and `handle`.
 */
export class MetaChannel extends AlwaysOpenChannel implements Channel {
  private announced: Promise<void> | undefined;
  /** This number's own app secret (else WA_BUSINESS_APP_SECRET signs its webhooks). */
  appSecret: string | undefined;
  readonly receipts = {
    markRead: async (keys: MessageKey[]) => {
      for (const k of keys) await this.call('POST', `/${this.phoneNumberId}/messages`, readReceipt(k.id), { queue: this.phoneNumberId });
    },
    markPlayed: async () => {
      throw new ChannelError('The WhatsApp Cloud API has no played receipts');
    },
  };
  readonly media: MetaMedia;
  readonly templates: MetaTemplates;

  constructor(ctx: ChannelContext, readonly deps: MetaDeps) {
    super(ctx);
    if (!ctx.number) throw new ChannelError('A WHATSAPP-BUSINESS instance needs its phone number id in "number"');
    if (!ctx.token) throw new ChannelError('A WHATSAPP-BUSINESS instance needs the Graph access token in "token"');
    this.media = new MetaMedia(this);
    this.templates = new MetaTemplates(this);
  }

  get phoneNumberId(): string {
    return this.ctx.number!;
  }

  get businessId(): string | null {
    return this.ctx.businessId;
  }

  /** A Graph call with this number's access token. */
  call<T>(method: string, path: string, body?: unknown, options: Parameters<GraphClient['json']>[4] = {}): Promise<T> {
    return this.deps.graph.json<T>(this.ctx.token!, method, path, body, options);
  }

  async connect(): Promise<QrCode | null> {
    this._state = 'open';
    this.announced ??= this.announce().finally(() => (this.announced = undefined));
    await this.announced;
    return null;
  }

  /**
   * Sends through the number's queue. Graph's refusal of the first attempt is the client's error (Meta-style 400,
   * nothing stored). When Graph is busy or down the send is accepted (PENDING) and retried; if it finally fails, the
   * client gets messages.update ERROR with the reason.
   */
  send(out: Outbound): Promise<SentMessage> {
    const body = graphMessage(out, this.deps.config.language);
    const message = toWhatsAppMessage(out);
    const provisional = out.options.keyId ?? messageKeyId();
    const sent = (id: string): SentMessage => ({ key: { remoteJid: out.remoteJid, fromMe: true, id }, messageTimestamp: nowSeconds(), message });
    return new Promise<SentMessage>((resolve, reject) => {
      let accepted = false;
      const retrying = () => {
        accepted = true;
        resolve(sent(provisional));
      };
      this.call<{ messages?: Array<{ id: string }> }>('POST', `/${this.phoneNumberId}/messages`, body, { queue: this.phoneNumberId, retrying }).then(
        (answer) => {
          const wamid = answer.messages?.[0]?.id;
          if (!accepted) return resolve(sent(wamid ?? provisional));
          if (wamid && wamid !== provisional) void this.ctx.keys.set({ [LATE_SENDS]: { [wamid]: provisional } }).catch((err) => this.deps.warn('could not remember a late send', { err: (err as Error).message }));
        },
        (err: Error) => {
          if (!accepted) return reject(err instanceof GraphUnavailable ? unavailableError(err) : err);
          const code = err instanceof GraphError ? err.body.code : err instanceof GraphUnavailable ? err.code : 0;
          const update: MessageUpdate = { type: 'error', key: sent(provisional).key, code, reason: err.message };
          this.ctx.listener.deliver([{ type: 'message.updates', updates: [update] }]).catch((e) => this.deps.warn('a failed send could not be recorded', { id: provisional, err: (e as Error).message }));
        },
      );
    });
  }

  /**
   * One webhook change of field `messages` for this number: messages (delivered first, in order), then statuses.
   * Resolves once they are stored.
   */
  handle(value: MessagesValue): Promise<void> {
    // Errors about the number itself (not about one message) have no upstream event: they go to the log.
    if (value.errors?.length) this.deps.warn('Meta reported errors for the phone number', { instance: this.ctx.instanceName, errors: value.errors });
    const messages = inboundMessages(value);
    const delivered = messages.length ? this.ctx.listener.deliver([{ type: 'messages', mode: 'live', messages }]) : Promise.resolve();
    const updates = statusUpdates(value);
    if (!updates.length) return delivered;
    const acks = this.lateSendIds(updates).then((u) => this.ctx.listener.deliver([{ type: 'message.updates', updates: u }]));
    return Promise.all([delivered, acks]).then(() => undefined);
  }

  /** Statuses of sends Graph took only after retries name Meta's id; the message is stored under the id the client got. */
  private async lateSendIds(updates: MessageUpdate[]): Promise<MessageUpdate[]> {
    const known = await this.ctx.keys.get<string>(LATE_SENDS, updates.map((u) => u.key.id));
    return updates.map((u) => (known[u.key.id] ? { ...u, key: { ...u.key, id: known[u.key.id]! } } : u));
  }

  async loadSettings(): Promise<void> {
    const stored = await this.ctx.keys.get<string>(APP_SECRET.type, [APP_SECRET.id]);
    this.appSecret = stored[APP_SECRET.id];
  }

  /** Asks Graph which number this is; the instance is open either way (upstream's Business channel is always open). */
  private async announce(): Promise<void> {
    let creds: MetaCredentials = { wuid: null, profileName: null };
    try {
      const info = await this.call<{ display_phone_number?: string; verified_name?: string }>('GET', `/${this.phoneNumberId}?fields=display_phone_number,verified_name`);
      const digits = info.display_phone_number?.replace(/\D/g, '');
      creds = { wuid: digits ? `${digits}@s.whatsapp.net` : null, profileName: info.verified_name ?? null };
    } catch (err) {
      this.deps.warn('Graph did not describe the phone number; the instance is open without its number', { instance: this.ctx.instanceName, err: (err as Error).message });
    }
    this.report({ type: 'credentials', state: creds }, { type: 'connection', update: { state: 'open', statusReason: 200, ...(creds.wuid ? { wuid: creds.wuid } : {}), profileName: creds.profileName } });
  }

}

function unavailableError(err: GraphUnavailable): GraphError {
  return new GraphError({ message: err.message, type: 'GraphUnavailable', code: err.code, fbtrace_id: '' });
}
