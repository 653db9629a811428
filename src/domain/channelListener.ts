import type { ChannelEvent, ChannelListener, ConnectionUpdate } from '../channels/events.js';
import type { EventBus } from '../events/bus.js';
import type { Repositories } from '../storage/repositories.js';
import type { Job } from './ingest/queue.js';
import type { IngestWork } from './ingest/writer.js';
import type { LiveInstance } from './registry.js';
import { nowSeconds } from './ids.js';

export interface ListenerDeps {
  bus: EventBus;
  repos: Repositories;
  connectionChanged(live: LiveInstance, update: ConnectionUpdate): Promise<void>;
}

/**
 * What a channel reports to: each event becomes a job of the instance's ingest queue, in order. Messages and updates
 * are batched into shared transactions; the rest runs as steps between them. Accepted all together or not at all.
 */
export function channelListener(live: LiveInstance, deps: ListenerDeps): ChannelListener {
  return {
    deliver: (events) => live.ingest.pushAll(events.map((e) => jobOf(live, e, deps))),
  };
}

function jobOf(live: LiveInstance, e: ChannelEvent, deps: ListenerDeps): Job<IngestWork> {
  const { bus, repos } = deps;
  const src = () => live.eventSource;
  const step = (what: string, run: () => Promise<unknown>): Job<IngestWork> => ({ kind: 'step', what, run: async () => void (await run()) });
  const emit = (event: Parameters<EventBus['emit']>[1], data: unknown, remoteJid?: string) => step(event, () => bus.commit(async (_tx, em) => em(src(), event, data, remoteJid)));
  switch (e.type) {
    case 'messages':
      return { kind: 'batch', work: { type: 'messages', mode: e.mode, messages: e.messages }, weight: e.messages.length };
    case 'message.updates':
      return { kind: 'batch', work: { type: 'updates', updates: e.updates }, weight: e.updates.length };
    case 'connection':
      return step('connection update', () => deps.connectionChanged(live, e.update));
    case 'qr':
      return emit('qrcode.updated', 'limitReached' in e.qr
        ? { message: 'QR code limit reached, please login again', statusCode: 500 }
        : { qrcode: { instance: live.name, pairingCode: e.qr.pairingCode, code: e.qr.code, base64: e.qr.base64 } });
    case 'credentials':
      return step('credentials', () => (e.state === null ? repos.authState.clear(live.id) : repos.authState.save(live.id, e.state)));
    case 'presence':
      return emit('presence.update', { id: e.remoteJid, presences: { [e.participant ?? e.remoteJid]: { lastKnownPresence: e.presence, ...(e.lastSeen ? { lastSeen: e.lastSeen } : {}) } } }, e.remoteJid);
    case 'chats':
      if (e.action === 'delete') {
        return step('chats.delete', () => bus.commit(async (tx, em) => {
          const removed = await repos.chats.remove(live.id, e.chats.map((c) => c.remoteJid), tx);
          await repos.counters.increment([{ instanceId: live.id, messages: 0, contacts: 0, chats: -removed }], tx);
          em(src(), 'chats.delete', e.chats.map((c) => c.remoteJid));
        }));
      }
      if (e.action === 'update' && e.chats.some((c) => c.archived !== undefined)) {
        // The phone (un)archived chats: findChats shows it.
        return step('chats.update', () => bus.commit(async (tx, em) => {
          for (const c of e.chats) {
            if (c.archived === undefined) continue;
            const { created } = await repos.chatState.set(live.id, c.remoteJid, 'archived', c.archived, nowSeconds(), tx);
            if (created) await repos.counters.increment([{ instanceId: live.id, messages: 0, contacts: 0, chats: 1 }], tx);
          }
          em(src(), 'chats.update', e.chats.map((c) => ({ ...c, instanceId: live.id })));
        }));
      }
      return emit(e.action === 'upsert' ? 'chats.upsert' : 'chats.update', e.chats.map((c) => ({ ...c, instanceId: live.id })));
    case 'contacts':
      return step(`contacts.${e.action}`, () => bus.commit(async (tx, em) => {
        const changed = await repos.chatWrites.upsertContacts(e.contacts.map((c) => ({ instanceId: live.id, remoteJid: c.remoteJid, pushName: c.pushName ?? null })), tx);
        await repos.counters.increment([{ instanceId: live.id, messages: 0, chats: 0, contacts: [...changed.values()].filter((c) => c.created).length }], tx);
        em(src(), e.action === 'upsert' ? 'contacts.upsert' : 'contacts.update', e.contacts.map((c) => ({ remoteJid: c.remoteJid, pushName: c.pushName ?? null, profilePicUrl: c.profilePicUrl ?? null, instanceId: live.id })));
      }));
    case 'groups':
      if (live.settings.groupsIgnore) return step('groups ignored', async () => undefined);
      return emit(e.action === 'upsert' ? 'groups.upsert' : 'groups.update', e.groups);
    case 'group.participants':
      if (live.settings.groupsIgnore) return step('groups ignored', async () => undefined);
      // Upstream adds `participantsData`: each JID with its number and the name and picture stored for that contact.
      return step('group-participants.update', async () => {
        const participantsData = await Promise.all(e.participants.map(async (jid) => {
          const [contact] = await repos.contacts.find(live.id, jid);
          return { jid, phoneNumber: jid.split('@')[0], ...(contact ? { name: contact.pushName, imgUrl: contact.profilePicUrl } : {}) };
        }));
        const data = { id: e.groupJid, ...(e.author ? { author: e.author } : {}), participants: e.participants, action: e.action, participantsData };
        await bus.commit(async (_tx, em) => em(src(), 'group-participants.update', data, e.groupJid));
      });
    case 'labels':
      return step('labels.edit', () => bus.commit(async (tx, em) => {
        const kept = e.labels.filter((l) => !l.deleted);
        await repos.labels.upsert(live.id, kept.map((l) => ({ labelId: l.id, name: l.name, color: l.color, predefinedId: l.predefinedId ?? null })), tx);
        await repos.labels.remove(live.id, e.labels.filter((l) => l.deleted).map((l) => l.id), tx);
        for (const l of e.labels) em(src(), 'labels.edit', { ...l, instance: live.name });
      }));
    case 'label.association':
      return step('labels.association', () => bus.commit(async (tx, em) => {
        if (e.action === 'add') await repos.labels.associate(live.id, e.chatId, e.labelId, tx);
        else await repos.labels.dissociate(live.id, e.chatId, e.labelId, tx);
        em(src(), 'labels.association', { instance: live.name, type: e.action, chatId: e.chatId, labelId: e.labelId }, e.chatId);
      }));
    case 'call':
      return emit('call', e.call, e.call.from);
  }
}
