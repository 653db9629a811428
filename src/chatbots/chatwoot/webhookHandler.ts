import type { Logger } from 'pino';
import type { LiveInstance } from '../../domain/registry.js';
import { messageKeyId } from '../../domain/ids.js';
import { PRESET_KEY_ID, type CommonSendInput, type MessageService } from '../../domain/messages.js';
import type { MediaMessageService } from '../../domain/mediaMessages.js';
import { FROM_WHATSAPP, type MessageMap } from './messageMap.js';
import type { ChatwootLink } from './link.js';
import type { ChatwootConfig } from './settings.js';

/** The parts of a Chatwoot webhook payload the gateway reads (message_created, conversation_status_changed). */
export interface ChatwootEvent {
  event: string;
  id?: number | string;
  content?: string | null;
  message_type?: string;
  private?: boolean;
  source_id?: string | null;
  status?: string;
  sender?: { name?: string; available_name?: string; type?: string };
  inbox?: { id?: number | string };
  conversation?: { id?: number | string; status?: string; meta?: { sender?: { phone_number?: string | null; identifier?: string | null } } };
  attachments?: { file_type?: string; data_url?: string }[];
}

type Part = { kind: 'text'; text: string } | { kind: 'media'; fileType: string; url: string; caption?: string };

/**
 * Chatwoot -> WhatsApp. An agent's outgoing message is sent through the gateway's send pipeline (stored, announced,
 * acked like an API send). Each part (the text, each attachment) is linked to a WhatsApp id before it is sent: a
 * repeated webhook finds its parts linked and sends nothing, and the send's own echo to Chatwoot is recognised.
 */
export class ChatwootWebhookHandler {
  /** Parts being sent by this process right now (a repeated webhook arriving meanwhile waits for nothing and sends nothing). */
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: { link: ChatwootLink; map: MessageMap; messages: MessageService; media: MediaMessageService; stored: (instanceId: string, keyId: string) => Promise<boolean>; logger: Logger }) {}

  async handle(live: LiveInstance, config: ChatwootConfig, e: ChatwootEvent): Promise<{ message: string }> {
    const conversationId = Number(e.conversation?.id ?? e.id);
    if ((e.event === 'conversation_status_changed' || e.event === 'conversation_updated') && Number.isFinite(conversationId)) {
      this.deps.link.conversations.forgetConversation(live.id, conversationId);
      return { message: 'bot' };
    }
    if (e.event !== 'message_created' || e.message_type !== 'outgoing' || e.private) return { message: 'bot' };
    // Messages the gateway itself put in Chatwoot (from WhatsApp) come back here too: by their source_id, or (a
    // Chatwoot that drops source_id, or a webhook faster than the API's answer) by their link once the post settled.
    if (e.source_id?.startsWith('WAID:')) return { message: 'bot' };
    if (e.id !== undefined && Number.isFinite(conversationId)) {
      await this.deps.link.postsSettled(live.id, conversationId);
      if ((await this.deps.map.byChatwoot(live.id, String(e.id))).some((l) => l.part === FROM_WHATSAPP)) return { message: 'bot' };
    }
    if (config.inboxId && e.inbox?.id !== undefined && String(e.inbox.id) !== config.inboxId) return { message: 'bot' };
    const number = recipientOf(e);
    if (!number || e.id === undefined) return { message: 'bot' };
    const parts = partsOf(e, signed(config, e));
    try {
      for (const [i, part] of parts.entries()) await this.sendPart(live, number, String(e.id), String(conversationId), i, part);
    } catch (err) {
      // The agent sees why in the conversation (a private note); Chatwoot gets the error as the answer.
      const note = `WhatsApp did not get this message: ${(err as Error).message}`;
      await this.deps.link.clientOf(config).createMessage(conversationId, { content: note, messageType: 'outgoing', private: true }).catch(() => undefined);
      throw err;
    }
    return { message: 'bot' };
  }

  private async sendPart(live: LiveInstance, number: string, chatwootMessageId: string, conversationId: string, part: number, p: Part): Promise<void> {
    const slot = `${live.id}|${chatwootMessageId}|${part}`;
    if (this.inFlight.has(slot)) return;
    this.inFlight.add(slot);
    try {
      const keyId = await this.keyFor(live.id, number, chatwootMessageId, conversationId, part);
      if (keyId) await this.send(live, number, keyId, chatwootMessageId, part, p);
    } finally {
      this.inFlight.delete(slot);
    }
  }

  /**
   * The WhatsApp id to send a part under: a fresh one, linked now; or, when the part was linked before but its message
   * never got stored (the process stopped in between), that same id again; undefined when it was sent.
   */
  private async keyFor(instanceId: string, number: string, chatwootMessageId: string, conversationId: string, part: number): Promise<string | undefined> {
    const keyId = messageKeyId();
    const remoteJid = number.includes('@') ? number : `${number}@s.whatsapp.net`;
    if (await this.deps.map.claim(instanceId, { waKeyId: keyId, remoteJid, chatwootMessageId, part, conversationId })) return keyId;
    const earlier = (await this.deps.map.byChatwoot(instanceId, chatwootMessageId)).find((l) => l.part === part);
    if (!earlier || (await this.deps.stored(instanceId, earlier.waKeyId))) return undefined;
    return earlier.waKeyId;
  }

  private async send(live: LiveInstance, number: string, keyId: string, chatwootMessageId: string, part: number, p: Part): Promise<void> {
    const base: CommonSendInput = { number, [PRESET_KEY_ID]: keyId };
    try {
      if (p.kind === 'text') await this.deps.messages.sendText(live, { ...base, text: p.text });
      else if (p.fileType === 'audio') await this.deps.media.sendWhatsAppAudio(live, { ...base, audio: p.url });
      else {
        const mediatype = p.fileType === 'image' || p.fileType === 'video' ? p.fileType : 'document';
        await this.deps.media.sendMedia(live, { ...base, mediatype, media: p.url, ...(p.caption ? { caption: p.caption } : {}), ...(mediatype === 'document' ? { fileName: fileNameOf(p.url) } : {}) });
      }
    } catch (err) {
      await this.deps.map.release(live.id, keyId).catch(() => undefined);
      this.deps.logger.warn({ instance: live.name, chatwootMessageId, part, err: (err as Error).message }, 'chatwoot message not sent to WhatsApp');
      throw err;
    }
  }
}

/** The WhatsApp number (or group JID) of the conversation's contact. */
function recipientOf(e: ChatwootEvent): string | undefined {
  const sender = e.conversation?.meta?.sender;
  const identifier = sender?.identifier ?? '';
  if (/@(g\.us|s\.whatsapp\.net)$/.test(identifier)) return identifier.endsWith('@g.us') ? identifier : identifier.split('@')[0];
  const digits = (sender?.phone_number ?? '').replace(/\D/g, '');
  return digits || undefined;
}

/** The text as WhatsApp shows it: with `signMsg`, the agent's name in bold first, then the delimiter (default a new line). */
function signed(config: ChatwootConfig, e: ChatwootEvent): string {
  const text = e.content ?? '';
  const name = e.sender?.available_name || e.sender?.name;
  if (!config.signMsg || !name || !text) return text;
  const delimiter = (config.signDelimiter ?? '\n').replace(/\\n/g, '\n');
  return `*${name}*${delimiter}${text}`;
}

/** The text rides as the caption of the first image, video or file; otherwise it goes alone after the attachments. */
function partsOf(e: ChatwootEvent, text: string): Part[] {
  const files = (e.attachments ?? []).filter((a) => typeof a.data_url === 'string' && /^https?:\/\//i.test(a.data_url));
  const parts: Part[] = [];
  let captioned = false;
  for (const a of files) {
    const fileType = a.file_type ?? 'file';
    const caption = !captioned && text && fileType !== 'audio' ? text : undefined;
    if (caption) captioned = true;
    parts.push({ kind: 'media', fileType, url: a.data_url!, ...(caption ? { caption } : {}) });
  }
  if (text && !captioned) parts.push({ kind: 'text', text });
  return parts;
}

function fileNameOf(url: string): string {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return name || 'file';
  } catch {
    return 'file';
  }
}
