import type { EventBus } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { InboundMessage } from '../channels/channel.js';
import type { InstanceService } from './instances.js';
import type { LiveInstance } from './registry.js';
import { ACK_ORDER, type AckStatus, type MessageKey, type StoredMessage } from './types.js';
import { badRequest } from './errors.js';
import { rowId } from './ids.js';
import { isGroupJid, toJid } from './jid.js';
import { contextInfoOf, isMediaType, messageTypeOf } from './messageContent.js';
import type { MediaFetcher } from './media.js';
import type { Metrics } from '../observability/metrics.js';
import type { InstanceCache } from './instanceCache.js';

export interface SendTextInput {
  number: string;
  text: string;
  delay?: number;
  quoted?: { key: { id: string; remoteJid?: string; fromMe?: boolean }; message?: Record<string, unknown> };
  mentioned?: string[];
  mentionsEveryOne?: boolean;
  linkPreview?: boolean;
}

/** Upstream's literal pushName for messages the instance itself sent. */
const OWN_PUSH_NAME = 'Você';

/** Sending, receiving and acknowledging messages: each one stored, then announced as events. */
export class MessageService {
  constructor(
    private readonly repos: Repositories,
    private readonly bus: EventBus,
    private readonly instances: InstanceService,
    private readonly media: MediaFetcher,
    private readonly cache: InstanceCache,
    private readonly metrics?: Metrics,
  ) {}

  async sendText(live: LiveInstance, input: SendTextInput): Promise<Omit<StoredMessage, 'id'>> {
    if (!input.text.trim()) throw badRequest('Text is required');
    const remoteJid = toJid(input.number);
    await this.assertExists(live, input.number, remoteJid);
    if (input.delay && input.delay > 0) await this.typeFor(live, remoteJid, input.delay);

    const contextInfo = await this.contextInfo(live, input);
    const content = contextInfo ? { extendedTextMessage: { text: input.text, contextInfo } } : { conversation: input.text };
    const sent = await this.instances.channelCall(() => live.channel.send({ remoteJid, message: content }));
    const stored: StoredMessage = {
      id: rowId(),
      key: sent.key,
      pushName: OWN_PUSH_NAME,
      status: 'PENDING',
      message: { conversation: input.text },
      ...(contextInfo ? { contextInfo } : {}),
      messageType: 'conversation',
      messageTimestamp: sent.messageTimestamp,
      instanceId: live.id,
      source: 'web',
    };
    const view = publicView(stored);
    await live.queue.run(() =>
      this.bus.commit(async (tx, emit) => {
        await this.repos.messages.insert([stored], tx);
        await this.repos.chats.touch({ instanceId: live.id, remoteJid, name: null, lastMessage: view, timestamp: stored.messageTimestamp, inbound: false, countUnread: false }, tx);
        emit(live.eventSource, 'send.message', view, remoteJid);
      }),
    );
    this.metrics?.messages.inc({ direction: 'sent', channel: live.instance.integration });
    return view;
  }

  /** A message arrived from the network: store it with its chat and contact, then announce all three. */
  async receive(live: LiveInstance, inbound: InboundMessage): Promise<void> {
    const { key } = inbound;
    if (isGroupJid(key.remoteJid) && live.settings.groupsIgnore) return;
    if (await this.repos.messages.findByKeyId(live.id, key.id, key.remoteJid)) return;

    const messageType = messageTypeOf(inbound.message);
    const message = { ...inbound.message };
    if (live.webhook?.webhookBase64 && isMediaType(messageType) && message.base64 === undefined) {
      const base64 = await this.media.base64Of(message[messageType]);
      if (base64) message.base64 = base64;
    }
    const stored: StoredMessage = {
      id: rowId(),
      key,
      pushName: inbound.pushName,
      ...(key.participant ? { participant: key.participant } : {}),
      status: key.fromMe ? 'SERVER_ACK' : 'DELIVERY_ACK',
      message,
      contextInfo: contextInfoOf(message, messageType),
      messageType,
      messageTimestamp: inbound.messageTimestamp,
      instanceId: live.id,
      source: inbound.source,
    };
    const view = publicView(stored);
    const contactJid = key.participant ?? key.remoteJid;
    // Asked before the transaction: a cache round trip must not hold the group commit open.
    const skipContact = await this.contactUnchanged(live, contactJid, inbound);
    const contact = await this.bus.commit(async (tx, emit) => {
      await this.repos.messages.insert([stored], tx);
      const contact = skipContact ? undefined : await this.repos.contacts.upsert(live.id, contactJid, inbound.pushName, tx);
      const chat = await this.repos.chats.touch({ instanceId: live.id, remoteJid: key.remoteJid, name: isGroupJid(key.remoteJid) ? null : inbound.pushName, lastMessage: view, timestamp: stored.messageTimestamp, inbound: !key.fromMe, countUnread: !key.fromMe }, tx);
      const src = live.eventSource;
      emit(src, 'messages.upsert', view, key.remoteJid);
      if (contact?.changed) {
        const data = { remoteJid: contactJid, pushName: contact.contact.pushName, profilePicUrl: contact.contact.profilePicUrl, instanceId: live.id };
        emit(src, contact.created ? 'contacts.upsert' : 'contacts.update', data, key.remoteJid);
      }
      if (chat.created) emit(src, 'chats.upsert', [{ remoteJid: key.remoteJid, instanceId: live.id, name: inbound.pushName, unreadMessages: chat.unreadMessages }], key.remoteJid);
      else emit(src, 'chats.update', [{ remoteJid: key.remoteJid, instanceId: live.id }], key.remoteJid);
      return contact;
    });
    if (contact) await this.cache.rememberContact(live.id, contactJid, contact.contact.pushName);

    this.metrics?.messages.inc({ direction: 'received', channel: live.instance.integration });
    if (live.settings.readMessages && !key.fromMe && live.channel.state === 'open') await this.markRead(live, [key]);
  }

  /** The network acknowledged a message we sent: record the status (never backwards) and announce it. */
  async ack(live: LiveInstance, key: MessageKey, status: AckStatus): Promise<void> {
    const original = await this.repos.messages.findByKeyId(live.id, key.id);
    if (!original) return;
    if (original.status && ACK_ORDER.indexOf(original.status as AckStatus) >= ACK_ORDER.indexOf(status)) return;
    await this.bus.commit(async (tx, emit) => {
      await this.repos.messages.recordStatus({ messageId: original.id, instanceId: live.id, key, status }, tx);
      const data = { keyId: key.id, remoteJid: key.remoteJid, fromMe: key.fromMe, ...(key.participant ? { participant: key.participant } : {}), status, instanceId: live.id, messageId: original.id };
      emit(live.eventSource, 'messages.update', data, key.remoteJid);
    });
  }

  async markRead(live: LiveInstance, keys: MessageKey[]): Promise<void> {
    await this.instances.channelCall(() => live.channel.markRead(keys));
    await this.bus.commit(async (tx, emit) => {
      for (const remoteJid of new Set(keys.map((k) => k.remoteJid))) {
        if (await this.repos.chats.markRead(live.id, remoteJid, tx)) emit(live.eventSource, 'chats.upsert', [{ remoteJid, instanceId: live.id, unreadMessages: 0 }], remoteJid);
      }
    });
  }

  private async assertExists(live: LiveInstance, number: string, jid: string): Promise<void> {
    if (isGroupJid(jid)) return;
    const [check] = await this.cache.checkNumbers(live.id, [number], (missing) => this.instances.channelCall(() => live.channel.checkNumbers(missing)));
    if (check && !check.exists) throw badRequest({ jid, exists: false, number });
  }

  /** True when the contact row already holds this name (or the message has none): the upsert would change nothing. */
  private async contactUnchanged(live: LiveInstance, contactJid: string, inbound: InboundMessage): Promise<boolean> {
    if (inbound.key.fromMe) return true;
    const known = await this.cache.contactName(live.id, contactJid);
    return known !== undefined && (!inbound.pushName || inbound.pushName === known.pushName);
  }

  /** Shows "composing" for `delay` ms before sending, as a person typing would. */
  private async typeFor(live: LiveInstance, remoteJid: string, delay: number): Promise<void> {
    await this.instances.channelCall(() => live.channel.sendPresence('composing', remoteJid));
    await new Promise((r) => setTimeout(r, delay));
    await live.channel.sendPresence('paused', remoteJid).catch(() => undefined);
  }

  private async contextInfo(live: LiveInstance, input: SendTextInput): Promise<Record<string, unknown> | undefined> {
    const info: Record<string, unknown> = {};
    if (input.quoted?.key?.id) {
      const quotedMessage = input.quoted.message ?? (await this.repos.messages.findByKeyId(live.id, input.quoted.key.id))?.message;
      if (!quotedMessage) throw badRequest('Quoted message not found');
      info.stanzaId = input.quoted.key.id;
      info.participant = input.quoted.key.remoteJid ?? undefined;
      info.quotedMessage = quotedMessage;
    }
    if (input.mentioned?.length) info.mentionedJid = input.mentioned.map((n) => toJid(n));
    if (input.mentionsEveryOne) info.mentionsEveryOne = true;
    return Object.keys(info).length ? info : undefined;
  }
}

/** A stored message as clients see it in responses and events (upstream omits the database id). */
export function publicView(m: StoredMessage): Omit<StoredMessage, 'id'> {
  const { id: _id, ...rest } = m;
  return rest;
}
