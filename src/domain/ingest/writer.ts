import type { EventBus, Emit } from '../../events/bus.js';
import type { Executor } from '../../storage/instanceRepository.js';
import type { Repositories } from '../../storage/repositories.js';
import { chatKey, type ChatDelta, type ContactDelta, type ContactResult } from '../../storage/chatWrites.js';
import type { StatusRow, UpdateTarget } from '../../storage/messageWrites.js';
import type { InboundMessage, MessageMode, MessageUpdate } from '../../channels/events.js';
import type { LiveInstance } from '../registry.js';
import type { InstanceCache } from '../instanceCache.js';
import type { MediaFetcher } from '../media.js';
import { ACK_ORDER, type AckStatus, type StoredMessage } from '../types.js';
import { isGroupJid } from '../jid.js';
import { rowId } from '../ids.js';
import { contextInfoOf, isMediaType, messageTypeOf } from '../messageContent.js';
import { publicView } from '../messageView.js';
import { mediaRef } from '../../media/inline.js';
import { applyPollVotes, type VoteToApply } from '../messagePolls.js';
import type { CommittedMessage } from '../inboundHooks.js';

/** What the ingest path commits: messages from the network, records of API sends, and updates to stored messages. */
export type IngestWork =
  | { type: 'messages'; mode: MessageMode; messages: InboundMessage[] }
  | { type: 'sent'; record: StoredMessage }
  | { type: 'updates'; updates: MessageUpdate[] };

/** One stored message of the batch and the work it came from. */
interface Item {
  stored: StoredMessage;
  mode: MessageMode | 'sent';
  /** Inbound contact whose row may change (not fromMe, name not known unchanged). */
  contactJid?: string;
}

/** One instance's share of a commit: its works, in the order they were accepted. */
export interface InstanceBatch {
  live: LiveInstance;
  works: IngestWork[];
}

export interface CommitOutcome {
  /** Inbound live messages stored by this batch (for auto-read). */
  received: StoredMessage[];
  /** Every live message and API send stored by this batch, in order, with its origin (for the inbound hooks). */
  committed: CommittedMessage[];
}

/** What a committed batch does to an instance's early-update store: forget what it applied, keep what found no message. */
interface EarlyChanges {
  applied: string[];
  unmatched: MessageUpdate[];
}

type UpdateEvent = { event: 'messages.update' | 'messages.edited' | 'messages.delete'; data: unknown; remoteJid: string };

/**
 * Commits the batches of one or more instances in one transaction: multi-row inserts that let the unique key refuse
 * duplicates, one upsert for the chats and one for the contacts, status updates applied in bulk, counters, and every
 * event the batches cause, each instance's in the order its works arrived.
 */
export class IngestWriter {
  /** Stored rows are built once per work, so a retried batch inserts the same row ids. */
  private readonly built = new WeakMap<IngestWork, StoredMessage[]>();
  /** For webhooks that ask for base64: the media's reference, beside the row (never in it), inlined when delivered. */
  private readonly inlined = new WeakMap<StoredMessage, string>();

  constructor(private readonly repos: Repositories, private readonly bus: EventBus, private readonly cache: InstanceCache, private readonly media: MediaFetcher) {}

  async commit(batches: InstanceBatch[]): Promise<CommitOutcome[]> {
    const items: Item[][] = [];
    for (const b of batches) items.push(await this.itemsOf(b));
    const { outcomes, contacts, early } = await this.bus.commit((tx, emit) => this.write(batches, items, tx, emit));
    // The early-update store changes only once the transaction holds: a rolled-back batch is retried with it as it was.
    early.forEach((e, i) => {
      const store = batches[i]!.live.earlyUpdates;
      store.forget(e.applied);
      for (const u of e.unmatched) store.keep(u);
    });
    for (const [key, c] of contacts) {
      const [instanceId, jid] = splitKey(key);
      await this.cache.rememberContact(instanceId, jid, c.pushName);
    }
    return outcomes;
  }

  private async itemsOf({ live, works }: InstanceBatch): Promise<Item[]> {
    const items: Item[] = [];
    for (const w of works) {
      if (w.type === 'sent') {
        await this.keepMedia(live, w.record, 'sent');
        items.push({ stored: w.record, mode: 'sent' });
      }
      if (w.type !== 'messages') continue;
      for (const stored of await this.build(live, w)) items.push({ stored, mode: w.mode, contactJid: await this.changingContact(live, stored) });
    }
    return items;
  }

  private async write(batches: InstanceBatch[], items: Item[][], tx: Executor, emit: Emit): Promise<{ outcomes: CommitOutcome[]; contacts: Map<string, ContactResult>; early: EarlyChanges[] }> {
    const inserted = await this.repos.messages.writes.insertNew(items.flat().map((i) => i.stored), tx);
    const fresh = items.map((list) => list.filter((i) => inserted.has(i.stored.id)));
    const chats = fresh.flatMap(chatDeltas);
    const createdChats = chats.length ? await this.repos.chatWrites.upsertChats(chats, tx) : new Set<string>();
    const changes = fresh.flatMap(contactDeltas);
    const contacts = changes.length ? await this.repos.chatWrites.upsertContacts(changes, tx) : new Map<string, ContactResult>();
    // Updates kept from before their message arrived go first: they happened before the batch's own.
    const freshIds = fresh.map((list) => list.map((m) => m.stored.key.id));
    const updates = batches.map((b, i) => [...b.live.earlyUpdates.peek(freshIds[i]!), ...b.works.flatMap((w) => (w.type === 'updates' ? w.updates : []))]);
    const { events: applied, unmatched } = await this.applyUpdates(batches, updates, fresh, tx);
    await this.repos.counters.increment(
      batches.map((b, i) => {
        const id = b.live.id;
        const count = (keys: Iterable<string>) => [...keys].filter((k) => k.startsWith(`${id}|`)).length;
        return { instanceId: id, messages: fresh[i]!.length, chats: count(createdChats), contacts: count([...contacts].filter(([, c]) => c.created).map(([k]) => k)) };
      }),
      tx,
    );
    const outcomes = batches.map((b, i) => this.announce(b.live, fresh[i]!, createdChats, contacts, applied[i]!, emit));
    return { outcomes, contacts, early: batches.map((_, i) => ({ applied: freshIds[i]!, unmatched: unmatched[i]! })) };
  }

  /** Emits one instance's events in the order its works arrived. */
  private announce(live: LiveInstance, fresh: Item[], createdChats: Set<string>, contacts: Map<string, ContactResult>, applied: UpdateEvent[], emit: Emit): CommitOutcome {
    const instanceId = live.id;
    const src = live.eventSource;
    const announced = { chats: new Set<string>(), contacts: new Set<string>() };
    const history: { views: unknown[]; chats: unknown[]; contacts: unknown[] } = { views: [], chats: [], contacts: [] };
    for (const item of fresh) {
      const { stored } = item;
      const jid = stored.key.remoteJid;
      const view = this.viewOf(stored);
      if (item.mode === 'sent') {
        emit(src, 'send.message', view, jid);
        continue;
      }
      const contact = item.contactJid ? contacts.get(chatKey(instanceId, item.contactJid)) : undefined;
      const firstOfContact = !!contact && !announced.contacts.has(item.contactJid!);
      if (firstOfContact) announced.contacts.add(item.contactJid!);
      const chatIsNew = createdChats.has(chatKey(instanceId, jid)) && !announced.chats.has(jid);
      announced.chats.add(jid);
      if (item.mode === 'history') {
        history.views.push(view);
        if (chatIsNew) history.chats.push({ remoteJid: jid, instanceId, name: isGroupJid(jid) ? null : stored.pushName });
        if (firstOfContact && contact.created) history.contacts.push({ remoteJid: item.contactJid, pushName: contact.pushName, profilePicUrl: null, instanceId });
        continue;
      }
      emit(src, 'messages.upsert', view, jid);
      if (firstOfContact) emit(src, contact.created ? 'contacts.upsert' : 'contacts.update', { remoteJid: item.contactJid, pushName: contact.pushName, profilePicUrl: contact.profilePicUrl, instanceId }, jid);
      if (chatIsNew) emit(src, 'chats.upsert', [{ remoteJid: jid, instanceId, name: stored.pushName, unreadMessages: stored.key.fromMe ? 0 : 1 }], jid);
      else emit(src, 'chats.update', [{ remoteJid: jid, instanceId }], jid);
    }
    if (history.views.length) emit(src, 'messages.set', history.views);
    if (history.chats.length) emit(src, 'chats.set', history.chats);
    if (history.contacts.length) emit(src, 'contacts.upsert', history.contacts);
    for (const e of applied) emit(src, e.event, e.data, e.remoteJid);
    const committed: CommittedMessage[] = [];
    for (const i of fresh) {
      if (i.mode === 'sent') committed.push({ message: i.stored, origin: 'api' });
      else if (i.mode === 'live') committed.push({ message: i.stored, origin: i.stored.key.fromMe ? 'phone' : 'received' });
    }
    return { received: fresh.filter((i) => i.mode === 'live' && !i.stored.key.fromMe).map((i) => i.stored), committed };
  }

  /** Applies acks (never backwards), edits, revokes, votes and errors; returns, too, the updates whose message is not stored yet. */
  private async applyUpdates(batches: InstanceBatch[], updates: MessageUpdate[][], fresh: Item[][], tx: Executor): Promise<{ events: UpdateEvent[][]; unmatched: MessageUpdate[][] }> {
    const events: UpdateEvent[][] = batches.map(() => []);
    const unmatched: MessageUpdate[][] = batches.map(() => []);
    if (!updates.some((u) => u.length)) return { events, unmatched };
    const freshKeys = new Set(fresh.flatMap((list, i) => list.map((m) => chatKey(batches[i]!.live.id, m.stored.key.id))));
    const lookup = batches.flatMap((b, i) => updates[i]!.filter((u) => !freshKeys.has(chatKey(b.live.id, u.key.id))).map((u) => ({ instanceId: b.live.id, keyId: u.key.id })));
    const targets = await this.repos.messages.writes.targets([...new Set(lookup.map((l) => l.instanceId))], lookup.map((l) => l.keyId), tx);
    fresh.forEach((list, i) => {
      for (const m of list) {
        const key = chatKey(batches[i]!.live.id, m.stored.key.id);
        targets.set(key, [{ id: m.stored.id, keyId: m.stored.key.id, remoteJid: m.stored.key.remoteJid, fromMe: m.stored.key.fromMe, status: m.stored.status }, ...(targets.get(key) ?? [])]);
      }
    });
    const current = new Map<string, string>();
    const history: StatusRow[] = [];
    const edits: Array<{ id: string; message: Record<string, unknown> }> = [];
    const votes: VoteToApply[] = [];
    const row = (k: MessageUpdate['key']) => ({ keyId: k.id, remoteJid: k.remoteJid, fromMe: k.fromMe, participant: k.participant ?? null });
    batches.forEach((b, i) => {
      const { live } = b;
      const instanceId = live.id;
      for (const u of updates[i]!) {
        const target = pick(targets.get(chatKey(instanceId, u.key.id)), u);
        if (!target) {
          unmatched[i]!.push(u);
          continue;
        }
        const base = { keyId: u.key.id, remoteJid: u.key.remoteJid, fromMe: u.key.fromMe };
        const out = events[i]!;
        if (u.type === 'ack' || u.type === 'error') {
          const status: AckStatus = u.type === 'ack' ? u.status : 'ERROR';
          const now = (current.get(target.id) ?? target.status) as AckStatus | null;
          if (u.type === 'ack' && now && ACK_ORDER.indexOf(now) >= ACK_ORDER.indexOf(status)) continue;
          current.set(target.id, status);
          const participant = u.key.participant ?? (u.type === 'ack' ? u.participant : undefined);
          history.push({ messageId: target.id, instanceId, keyId: u.key.id, remoteJid: u.key.remoteJid, fromMe: u.key.fromMe, participant: participant ?? null, status });
          const error = u.type === 'error' ? { error: { code: u.code, reason: u.reason } } : {};
          out.push({ event: 'messages.update', data: { ...base, ...(participant ? { participant } : {}), status, instanceId, messageId: target.id, ...error }, remoteJid: u.key.remoteJid });
        } else if (u.type === 'edit') {
          edits.push({ id: target.id, message: u.message });
          current.set(target.id, 'EDITED');
          history.push({ messageId: target.id, instanceId, ...row(u.key), status: 'EDITED' });
          out.push({ event: 'messages.edited', data: { key: u.key, type: 'MESSAGE_EDIT', editedMessage: u.message, timestampMs: (u.at ?? Math.floor(Date.now() / 1000)) * 1000, instanceId, messageId: target.id }, remoteJid: u.key.remoteJid });
          // As Baileys reports an edit a second time, as an update of the original carrying the new content.
          out.push({ event: 'messages.update', data: { ...base, ...(u.key.participant ? { participant: u.key.participant } : {}), status: 'EDITED', message: { editedMessage: { message: u.message } }, instanceId, messageId: target.id }, remoteJid: u.key.remoteJid });
        } else if (u.type === 'revoke') {
          current.set(target.id, 'DELETED');
          history.push({ messageId: target.id, instanceId, ...row(u.key), status: 'DELETED' });
          out.push({ event: 'messages.delete', data: { ...u.key, status: 'DELETED' }, remoteJid: u.key.remoteJid });
        } else if (u.type === 'pollVote') {
          const data: Record<string, unknown> = { ...base, status: current.get(target.id) ?? target.status, pollUpdates: [], instanceId, messageId: target.id };
          votes.push({ instanceId, messageId: target.id, votes: u.votes, event: data });
          out.push({ event: 'messages.update', data, remoteJid: u.key.remoteJid });
        } else {
          out.push({ event: 'messages.update', data: { ...base, reaction: u.reaction, instanceId, messageId: target.id }, remoteJid: u.key.remoteJid });
        }
      }
    });
    for (const e of edits) await this.repos.messages.writes.replaceContent(e.id, e.message, tx);
    await applyPollVotes(this.repos, votes, tx);
    await this.repos.messages.writes.recordStatuses(history, current, tx);
    return { events, unmatched };
  }

  /** The rows of a message work, built once: ignored groups dropped, media inlined as base64 when the webhook asks. */
  private async build(live: LiveInstance, w: Extract<IngestWork, { type: 'messages' }>): Promise<StoredMessage[]> {
    const done = this.built.get(w);
    if (done) return done;
    const rows: StoredMessage[] = [];
    for (const inbound of w.messages) {
      const { key } = inbound;
      if (isGroupJid(key.remoteJid) && live.settings.groupsIgnore) continue;
      const messageType = messageTypeOf(inbound.message);
      const message = { ...inbound.message };
      const row: StoredMessage = {
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
      rows.push(row);
    }
    // The media of a batch is fetched eight at a time, not one message after another.
    if (w.mode !== 'history') for (let i = 0; i < rows.length; i += 8) await Promise.all(rows.slice(i, i + 8).map((row) => this.keepMedia(live, row, 'received')));
    this.built.set(w, rows);
    return rows;
  }

  /** Media into the store before the row is written (the row and its event carry mediaUrl), base64 beside it when asked. */
  private async keepMedia(live: LiveInstance, stored: StoredMessage, direction: 'sent' | 'received'): Promise<void> {
    if (!isMediaType(stored.messageType) || this.inlined.has(stored)) return;
    const key = await this.media.keep(live, stored, direction);
    if (key && live.webhook?.webhookBase64) this.inlined.set(stored, mediaRef(key));
  }

  /** A stored message as events show it, with its media's base64 (as a reference) when the webhook asks for it. */
  private viewOf(stored: StoredMessage): Omit<StoredMessage, 'id'> {
    const view = publicView(stored);
    const base64 = this.inlined.get(stored);
    return base64 ? { ...view, message: { ...view.message, base64 } } : view;
  }

  /** The contact whose row this message may change; undefined when the cache knows the row already holds this name. */
  private async changingContact(live: LiveInstance, m: StoredMessage): Promise<string | undefined> {
    if (m.key.fromMe) return undefined;
    const jid = m.key.participant ?? m.key.remoteJid;
    const known = await this.cache.contactName(live.id, jid);
    return known !== undefined && (!m.pushName || m.pushName === known.pushName) ? undefined : jid;
  }
}

/** The stored message an update means: same chat and direction when several share the key id, else the newest. */
function pick(candidates: UpdateTarget[] | undefined, u: MessageUpdate): UpdateTarget | undefined {
  if (!candidates?.length) return undefined;
  return candidates.find((c) => c.remoteJid === u.key.remoteJid && c.fromMe === u.key.fromMe) ?? candidates.find((c) => c.fromMe === u.key.fromMe) ?? candidates[0];
}

function chatDeltas(items: Item[]): ChatDelta[] {
  const byJid = new Map<string, ChatDelta>();
  for (const { stored, mode } of items) {
    const jid = stored.key.remoteJid;
    const inbound = mode !== 'sent' && !stored.key.fromMe;
    const d = byJid.get(jid) ?? { instanceId: stored.instanceId, remoteJid: jid, name: null, unreadIncrement: 0, lastMessage: null, lastMessageTimestamp: -1, lastInboundAt: null };
    if (!d.name && mode !== 'sent' && !isGroupJid(jid) && !stored.key.fromMe) d.name = stored.pushName;
    if (inbound && mode !== 'history') d.unreadIncrement++;
    if (stored.messageTimestamp >= d.lastMessageTimestamp) {
      d.lastMessage = publicView(stored);
      d.lastMessageTimestamp = stored.messageTimestamp;
    }
    if (inbound) d.lastInboundAt = Math.max(d.lastInboundAt ?? 0, stored.messageTimestamp);
    byJid.set(jid, d);
  }
  return [...byJid.values()];
}

function contactDeltas(items: Item[]): ContactDelta[] {
  const byJid = new Map<string, ContactDelta>();
  for (const { stored, contactJid } of items) {
    if (!contactJid) continue;
    const d = byJid.get(contactJid) ?? { instanceId: stored.instanceId, remoteJid: contactJid, pushName: null };
    if (stored.pushName) d.pushName = stored.pushName;
    byJid.set(contactJid, d);
  }
  return [...byJid.values()];
}


function splitKey(key: string): [string, string] {
  const i = key.indexOf('|');
  return [key.slice(0, i), key.slice(i + 1)];
}
