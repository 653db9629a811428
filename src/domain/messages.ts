import type { EventBus } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { InboundMessage, MessageMode } from '../channels/events.js';
import type { Outbound, OutboundContent, SendOptions } from '../channels/content.js';
import type { InstanceService } from './instances.js';
import type { LiveInstance } from './registry.js';
import type { MessageKey, StoredMessage } from './types.js';
import { badRequest, unavailable } from './errors.js';
import { isGroupJid, toJid } from './jid.js';
import type { Metrics } from '../observability/metrics.js';
import type { InstanceCache } from './instanceCache.js';
import { operations, optionalOperations, requireSend } from './capabilities.js';
import { publicView, sentRecord } from './messageView.js';
import type { CommitOutcome, IngestWork } from './ingest/writer.js';
import { InboundHooks } from './inboundHooks.js';

export { publicView } from './messageView.js';

/**
 * The WhatsApp id an integration gives a message before sending it (Chatwoot links the id to its own message first, so
 * the send's echo is recognised). A symbol: a JSON request body cannot set it.
 */
export const PRESET_KEY_ID: unique symbol = Symbol('presetKeyId');

/** The fields every send route takes besides its content (upstream names). */
export interface CommonSendInput {
  [PRESET_KEY_ID]?: string;
  number: string;
  delay?: number;
  quoted?: { key: { id: string; remoteJid?: string; fromMe?: boolean; participant?: string }; message?: Record<string, unknown> };
  mentioned?: string[];
  mentionsEveryOne?: boolean;
  linkPreview?: boolean;
}

export interface SendTextInput extends CommonSendInput {
  text: string;
}

/** Sending, receiving and acknowledging messages: each one stored, then announced as events. */
export class MessageService {
  /** What acts on messages once they are stored: chatbots, Chatwoot. */
  readonly hooks: InboundHooks;

  constructor(
    private readonly repos: Repositories,
    private readonly bus: EventBus,
    private readonly instances: InstanceService,
    private readonly cache: InstanceCache,
    private readonly metrics?: Metrics,
    hooks?: InboundHooks,
  ) {
    this.hooks = hooks ?? new InboundHooks();
  }

  async sendText(live: LiveInstance, input: SendTextInput): Promise<Omit<StoredMessage, 'id'>> {
    if (!input.text.trim()) throw badRequest('Text is required');
    return this.send(live, input, { kind: 'text', text: input.text });
  }

  /**
   * Sends one message of any kind: refused before anything goes out when the channel lacks it or when the send could
   * not be recorded (database unreachable, queue full); once sent, it is recorded for certain before the answer.
   */
  async send(live: LiveInstance, input: CommonSendInput, content: OutboundContent): Promise<Omit<StoredMessage, 'id'>> {
    requireSend(live, content.kind);
    const remoteJid = toJid(input.number);
    await this.assertExists(live, input.number, remoteJid);
    const options = await this.sendOptions(live, input);
    if (input.delay && input.delay > 0) await this.typeFor(live, remoteJid, input.delay);
    this.assertRecordable(live);
    const out: Outbound = { remoteJid, content, options };
    const sent = await this.instances.channelCall(() => live.channel.send(out));
    const record = sentRecord(live.id, sent);
    await live.ingest.push({ kind: 'batch', work: { type: 'sent', record }, weight: 1 }, true);
    this.metrics?.messages.inc({ direction: 'sent', channel: live.instance.integration });
    return publicView(record);
  }

  /** Messages from the network (channels report them through the listener; tools and benchmarks may call this). */
  receive(live: LiveInstance, messages: InboundMessage[], mode: MessageMode = 'live'): Promise<void> {
    const work: IngestWork = { type: 'messages', mode, messages };
    return live.ingest.push({ kind: 'batch', work, weight: messages.length });
  }

  /** After a batch committed: the inbound hooks, counts, and auto-read when the instance reads what it receives. */
  afterCommit(live: LiveInstance, { received, committed }: CommitOutcome): void {
    this.hooks.run(live, committed);
    if (!received.length) return;
    this.metrics?.messages.inc({ direction: 'received', channel: live.instance.integration }, received.length);
    if (live.settings.readMessages && live.channel.state === 'open' && optionalOperations(live, 'receipts')) {
      this.markRead(live, received.map((m) => m.key)).catch(() => undefined);
    }
  }

  async markRead(live: LiveInstance, keys: MessageKey[]): Promise<void> {
    const receipts = operations(live, 'receipts');
    await this.instances.channelCall(() => receipts.markRead(keys));
    await this.bus.commit(async (tx, emit) => {
      for (const remoteJid of new Set(keys.map((k) => k.remoteJid))) {
        if (await this.repos.chats.markRead(live.id, remoteJid, tx)) emit(live.eventSource, 'chats.upsert', [{ remoteJid, instanceId: live.id, unreadMessages: 0 }], remoteJid);
      }
    });
  }

  /** Played receipts for voice notes and videos the instance received: their senders see PLAYED. */
  async markPlayed(live: LiveInstance, keys: MessageKey[]): Promise<void> {
    const receipts = operations(live, 'receipts');
    await this.instances.channelCall(() => receipts.markPlayed(keys));
  }

  private async groupMembers(live: LiveInstance, jid: string): Promise<string[] | undefined> {
    const groups = isGroupJid(jid) ? optionalOperations(live, 'groups') : undefined;
    if (!groups) return undefined;
    const metadata = await this.instances.channelCall(() => groups.metadata(jid));
    return metadata.participants.map((p) => p.id);
  }

  /** A send that could not be recorded must not go out: refuse it first. */
  private assertRecordable(live: LiveInstance): void {
    if (live.ingest.blocked) throw unavailable('The database is unreachable; nothing was sent. Try again shortly.', 1000);
  }

  private async assertExists(live: LiveInstance, number: string, jid: string): Promise<void> {
    if (isGroupJid(jid) || jid === 'status@broadcast') return;
    const numbers = optionalOperations(live, 'numbers');
    if (!numbers) return;
    const [check] = await this.cache.checkNumbers(live.id, [number], (missing) => this.instances.channelCall(() => numbers.checkNumbers(missing)));
    if (check && !check.exists) throw badRequest({ jid, exists: false, number });
  }

  /** Shows "composing" for `delay` ms before sending, as a person typing would. */
  private async typeFor(live: LiveInstance, remoteJid: string, delay: number): Promise<void> {
    const presence = optionalOperations(live, 'presence');
    if (presence) await this.instances.channelCall(() => presence.sendPresence('composing', remoteJid));
    await new Promise((r) => setTimeout(r, delay));
    await presence?.sendPresence('paused', remoteJid).catch(() => undefined);
  }

  private async sendOptions(live: LiveInstance, input: CommonSendInput): Promise<SendOptions> {
    const options: SendOptions = {};
    if (input[PRESET_KEY_ID]) options.keyId = input[PRESET_KEY_ID];
    if (input.quoted?.key?.id) {
      const stored = input.quoted.message ? undefined : await this.repos.messages.findByKeyId(live.id, input.quoted.key.id, input.quoted.key.remoteJid ? toJid(input.quoted.key.remoteJid) : undefined);
      const quotedMessage = input.quoted.message ?? stored?.message;
      if (!quotedMessage) throw badRequest('Quoted message not found');
      const key = { ...(stored?.key ?? input.quoted.key) };
      // Who wrote the quoted message, as WhatsApp names it in contextInfo.participant: the instance itself for its own.
      const author = key.fromMe ? live.instance.ownerJid : (key.participant ?? key.remoteJid);
      if (author) key.participant = author;
      options.quoted = { key, message: quotedMessage };
    }
    if (input.mentioned?.length) options.mentions = input.mentioned.map((n) => toJid(n));
    if (input.mentionsEveryOne) {
      options.mentionsEveryOne = true;
      // As upstream: in a group, "everyone" is every participant by JID (where the channel knows the group's members).
      const everyone = await this.groupMembers(live, toJid(input.number));
      if (everyone) options.mentions = everyone;
    }
    if (input.linkPreview !== undefined) options.linkPreview = input.linkPreview;
    return options;
  }
}
