import type { Logger } from 'pino';
import { isGroupJid, jidUser } from '../../domain/jid.js';
import { extensionOf } from '../../media/mimetype.js';
import { ChatwootError, type CwAttachment } from './client.js';
import type { ChatwootOutboxRepository, OutboxItem } from './outboxRepository.js';
import { FROM_WHATSAPP, type MessageMap } from './messageMap.js';
import { chatJidOf, render, sourceIdOf, type MessageRecord } from './render.js';
import type { ChatwootLink } from './link.js';

const PAGE = 500;
/** Chats delivered at once (each chat one message at a time). */
const LANES = 8;
const MAX_BACKOFF_MS = 300_000;

export interface DelivererDeps {
  outbox: ChatwootOutboxRepository;
  map: MessageMap;
  link: ChatwootLink;
  /** The stored bytes of a message's media, if it has any. */
  mediaOf: (instanceId: string, keyId: string) => Promise<Buffer | undefined>;
  logger: Logger;
  pollMs?: number;
}

/**
 * Delivers the Chatwoot outbox: each chat's rows in order, one at a time, several chats at once; a failure leaves the
 * row (and the rows after it in that chat) for a retry with backoff, never dropped. A row leaves the outbox only once Chatwoot has the message
 * and the id map has it; a retry after a crash first asks Chatwoot whether the message is already there.
 */
export class ChatwootDeliverer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** Chats being delivered, by `instanceId|remoteJid`. */
  private readonly active = new Map<string, Promise<void>>();
  private again = false;
  private stopped = false;

  constructor(private readonly deps: DelivererDeps) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.deps.pollMs ?? 1000);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.idle();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.schedule().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Resolves when nothing is being delivered (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.active.size) await Promise.all([this.running, ...this.active.values()]);
  }

  /**
   * Starts the chats that have rows due, up to LANES at once, taking instances in turn; a chat already being delivered
   * is left to its lane. Lanes run on their own: a slow Chatwoot holds its own chats, not the others.
   */
  private async schedule(): Promise<void> {
    const free = LANES - this.active.size;
    if (free <= 0) return;
    let rows: OutboxItem[];
    try {
      rows = await this.deps.outbox.due(this.deps.link.enabledInstanceIds(), Date.now(), PAGE);
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'chatwoot outbox not readable; retrying');
      return;
    }
    const byInstance = new Map<string, Map<string, OutboxItem[]>>();
    for (const row of rows) {
      const lane = `${row.instanceId}|${row.remoteJid}`;
      if (this.active.has(lane)) continue;
      const lanes = byInstance.get(row.instanceId) ?? new Map<string, OutboxItem[]>();
      byInstance.set(row.instanceId, lanes);
      lanes.set(lane, [...(lanes.get(lane) ?? []), row]);
    }
    const queues = [...byInstance.values()].map((lanes) => [...lanes.entries()]);
    let started = 0;
    while (started < free && queues.some((q) => q.length)) {
      for (const q of queues) {
        const next = q.shift();
        if (!next || started >= free) continue;
        const [lane, laneRows] = next;
        started++;
        this.active.set(lane, this.runLane(laneRows).catch((err) => this.deps.logger.error({ err }, 'chatwoot lane failed')).finally(() => {
          this.active.delete(lane);
          this.wake();
        }));
      }
    }
  }

  /**
   * One chat's due rows, in order. The first goes only when it is the chat's head (else the chat waits with its head:
   * deferred as a whole, so its rows leave the due set); a failure defers the chat until the retry.
   */
  private async runLane(rows: OutboxItem[]): Promise<void> {
    const first = rows[0]!;
    const head = await this.deps.outbox.head(first.instanceId, first.remoteJid);
    if (head && head.seq < first.seq) return this.deps.outbox.deferLane(first.instanceId, first.remoteJid, first.seq, head.nextAttemptAt);
    for (const row of rows) {
      if (this.stopped) return;
      try {
        await this.deps.outbox.attempting(row.seq, row.attempts + 1);
        await this.deliver(row);
        await this.deps.outbox.done(row.seq);
      } catch (err) {
        const backoff = Math.min(1000 * 2 ** Math.min(row.attempts, 20), MAX_BACKOFF_MS);
        const message = (err as Error).message;
        this.deps.logger.warn({ instanceId: row.instanceId, seq: row.seq, attempts: row.attempts + 1, err: message }, 'chatwoot delivery failed; retrying');
        await this.deps.outbox.failed(row, Date.now() + backoff, message).catch(() => undefined);
        return;
      }
    }
  }

  private async deliver(row: OutboxItem): Promise<void> {
    const ctx = await this.deps.link.contextFor(row.instanceId);
    if (!ctx) return; // Chatwoot was turned off for the instance: what it queued is not wanted any more.
    if (row.kind === 'contact') {
      const c = row.payload as { remoteJid: string; pushName?: string };
      await ctx.conversations.contact(ctx.client, ctx.config, ctx.inboxId, c.remoteJid, c.pushName || jidUser(c.remoteJid));
      return;
    }
    const record = row.payload as MessageRecord;
    const keyId = record.key.id;
    if (await this.deps.map.byWhatsApp(row.instanceId, keyId)) return; // came from Chatwoot, or already there
    const rendered = render(record);
    if (!rendered) return;
    const jid = chatJidOf(record);
    const name = isGroupJid(jid) ? `${jidUser(jid)} (GROUP)` : record.key.fromMe ? jidUser(jid) : record.pushName || jidUser(jid);
    const conversationId = await ctx.conversations.resolve(ctx.client, ctx.config, ctx.inboxId, jid, name);
    const sourceId = sourceIdOf(keyId);
    const link = async (chatwootMessageId: number) => {
      await this.deps.map.claim(row.instanceId, { waKeyId: keyId, remoteJid: jid, chatwootMessageId: String(chatwootMessageId), part: FROM_WHATSAPP, conversationId: String(conversationId) });
    };
    try {
      if (row.attempts > 0) {
        const already = (await ctx.client.messages(conversationId)).find((m) => m.source_id === sourceId);
        if (already) return link(already.id);
      }
      let attachment: CwAttachment | undefined;
      if (rendered.media) {
        const data = await this.deps.mediaOf(row.instanceId, keyId);
        if (data) attachment = { data, mimetype: rendered.media.mimetype, fileName: rendered.media.fileName ?? `${keyId}.${extensionOf(rendered.media.mimetype)}` };
      }
      const content = rendered.content || (rendered.media && !attachment ? `[${record.messageType}: media not available]` : '');
      const posted = this.deps.link.beginPost(row.instanceId, conversationId);
      try {
        const created = await ctx.client.createMessage(conversationId, { content, messageType: record.key.fromMe ? 'outgoing' : 'incoming', sourceId, ...(attachment ? { attachment } : {}) });
        await link(created.id);
      } finally {
        posted();
      }
    } catch (err) {
      // The conversation is gone (deleted in Chatwoot): the retry looks for the chat's conversation again.
      if (err instanceof ChatwootError && err.status === 404) ctx.conversations.forgetConversation(row.instanceId, conversationId);
      throw err;
    }
  }
}
