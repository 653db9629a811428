import type { EventBus } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { InstanceService } from './instances.js';
import type { LiveInstance } from './registry.js';
import type { MessageKey, StoredMessage } from './types.js';
import type { OutboundContent, SentMessage } from '../channels/content.js';
import { badRequest, notFound, unavailable } from './errors.js';
import { toJid } from './jid.js';
import { requireSend } from './capabilities.js';
import { publicView } from './messageView.js';
import { pollOf, pollResult } from './messagePolls.js';

export interface EditInput {
  number: string;
  key: { id: string; remoteJid: string; fromMe: boolean };
  text: string;
}

export interface RevokeInput {
  id: string;
  fromMe: boolean;
  remoteJid: string;
  participant?: string;
}

/** The WhatsApp message of an edit or a revoke as the channel sent it (the raw WAMessage upstream answers with). */
export interface SentProtocolMessage {
  key: MessageKey;
  message: Record<string, unknown>;
  messageTimestamp: number;
  status: string;
}

const TEXT_TYPES = ['conversation', 'extendedTextMessage'];
const CAPTION_TYPES = ['imageMessage', 'videoMessage'] as const;

/**
 * What happens to messages already sent: the instance edits or revokes its own, and reads the votes on its polls.
 * Edits and revokes go out on the channel first; the stored original then changes in the instance's ingest order.
 */
export class MessageChanges {
  constructor(private readonly repos: Repositories, private readonly bus: EventBus, private readonly instances: InstanceService) {}

  /** Edits the text (or the caption) of a message the instance sent; `send.message.update` carries the edit. */
  async edit(live: LiveInstance, input: EditInput): Promise<SentProtocolMessage> {
    const jid = toJid(input.number);
    const stored = await this.repos.messages.findByKeyId(live.id, input.key.id, toJid(input.key.remoteJid));
    const captionType = CAPTION_TYPES.find((t) => t === stored?.messageType);
    // Upstream checks compatibility first, so a message it cannot find is "not compatible" too.
    if (!stored || (!TEXT_TYPES.includes(stored.messageType) && !captionType)) throw badRequest('Message not compatible');
    if (stored.key.remoteJid !== jid) throw badRequest('RemoteJid does not match');
    if (!stored.key.fromMe) throw badRequest('You cannot edit others messages');
    if (stored.key.deleted) throw badRequest('You cannot edit deleted messages');
    const media = captionType ? { type: captionType, content: stored.message[captionType] as Record<string, unknown> } : undefined;
    const sent = await this.sendProtocol(live, jid, { kind: 'edit', key: keyOf(stored), text: input.text, ...(media ? { media } : {}) });
    const edited = captionType ? { ...stored.message, [captionType]: { ...(stored.message[captionType] as object), caption: input.text } } : { ...stored.message, conversation: input.text };
    await this.afterSend(live, 'message edit', async (tx, emit) => {
      await this.repos.messages.writes.replaceContent(stored.id, edited, tx);
      await this.repos.messages.writes.recordStatuses([statusRow(live, stored, 'EDITED')], new Map([[stored.id, 'EDITED']]), tx);
      emit(live.eventSource, 'send.message.update', sent.message.protocolMessage, jid);
    });
    return sent;
  }

  /** Revokes a message for everyone; the stored one is kept, marked deleted, and announced by `messages.delete`. */
  async revoke(live: LiveInstance, input: RevokeInput): Promise<SentProtocolMessage> {
    const jid = toJid(input.remoteJid);
    const key: MessageKey = { remoteJid: jid, fromMe: input.fromMe, id: input.id, ...(input.participant ? { participant: input.participant } : {}) };
    const sent = await this.sendProtocol(live, jid, { kind: 'delete', key });
    const stored = await this.repos.messages.findByKeyId(live.id, input.id, jid);
    // As upstream: a message the instance never stored is revoked on the network all the same, without an event.
    if (stored) {
      await this.afterSend(live, 'message revoke', async (tx, emit) => {
        await this.repos.amendments.markDeleted(stored.id, stored.key, tx);
        await this.repos.messages.writes.recordStatuses([statusRow(live, stored, 'DELETED')], new Map(), tx);
        emit(live.eventSource, 'messages.delete', deletedView(stored), jid);
      });
    }
    return sent;
  }

  /** The votes on a poll the instance sent or received, aggregated per option. */
  async pollVotes(live: LiveInstance, keyId: string, remoteJid: string) {
    const stored = await this.repos.messages.findByKeyId(live.id, keyId, toJid(remoteJid));
    if (!stored) throw notFound('Poll message not found');
    const poll = pollOf(stored.message);
    if (!poll) throw badRequest('The message is not a poll');
    const votes = (await this.repos.pollVotes.forMessages([stored.id])).get(stored.id) ?? [];
    return pollResult(poll, votes);
  }

  private async sendProtocol(live: LiveInstance, remoteJid: string, content: OutboundContent): Promise<SentProtocolMessage> {
    requireSend(live, content.kind);
    if (live.ingest.blocked) throw unavailable('The database is unreachable; nothing was sent. Try again shortly.', 1000);
    const sent: SentMessage = await this.instances.channelCall(() => live.channel.send({ remoteJid, content, options: {} }));
    return { key: sent.key, message: sent.message, messageTimestamp: sent.messageTimestamp, status: sent.status ?? 'PENDING' };
  }

  /** Already on the network: the change is recorded in the instance's ingest order, and never refused. */
  private afterSend(live: LiveInstance, what: string, change: Parameters<EventBus['commit']>[0]): Promise<void> {
    return live.ingest.push({ kind: 'step', what, run: async () => void (await this.bus.commit(change)) }, true);
  }
}

function keyOf(m: StoredMessage): MessageKey {
  return { remoteJid: m.key.remoteJid, fromMe: m.key.fromMe, id: m.key.id, ...(m.key.participant ? { participant: m.key.participant } : {}) };
}

function statusRow(live: LiveInstance, m: StoredMessage, status: string) {
  return { messageId: m.id, instanceId: live.id, keyId: m.key.id, remoteJid: m.key.remoteJid, fromMe: m.key.fromMe, participant: m.key.participant ?? null, status };
}

/** Upstream's `messages.delete` data for an API revoke: the stored row with its key marked deleted. */
function deletedView(m: StoredMessage) {
  const { key, messageType, source, messageTimestamp, pushName, participant, message, instanceId } = publicView(m);
  return { id: m.id, instanceId, key: { ...key, deleted: true }, messageType, status: 'DELETED', source, messageTimestamp, pushName, participant: participant ?? null, message };
}
