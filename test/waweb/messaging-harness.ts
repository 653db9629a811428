import { Agent as HttpsAgent } from 'node:https';
import type { MessageUserReceiptUpdate, WAMessage, WAMessageUpdate } from 'baileys';
import { expect } from 'vitest';
import { linkByQr, tempAuthDir, type AuthDir, type Client } from '../../sim/waweb/client.js';
import { startSimulator, type Simulator } from '../../sim/waweb/index.js';
import { messagingOf, type Messaging } from '../../sim/waweb/contacts.js';
import type { HistoryChat } from '../../sim/waweb/messaging-history.js';

/** A simulator with messaging, and one real library instance linked to `phone` and ready to send. */
export interface Linked {
  sim: Simulator;
  messaging: Messaging;
  auth: AuthDir;
  client: Client;
  upserts: WAMessage[];
  updates: WAMessageUpdate[];
  /** Group receipts: `message-receipt.update`. */
  receipts: MessageUserReceiptUpdate[];
  /** What `messaging-history.set` brought. */
  history: { chats: string[]; messages: WAMessage[] };
  /** `groups.upsert` (ids) and `group-participants.update` (action, participants) as they came. */
  groupEvents: { event: string; ids: string[]; action?: string }[];
  stop(): Promise<void>;
}

export const textOf = (m: WAMessage): string | undefined =>
  m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? undefined;

/**
 * `media`: start the HTTPS media host and give the library a `fetchAgent` that trusts its test CA.
 * `on`: link to that simulator (a second account) instead of starting one; `stop()` then leaves it running.
 */
export const linkInstance = async (
  phone: string,
  { media = false, on, history = [] }: { media?: boolean; on?: Simulator; history?: HistoryChat[] } = {},
): Promise<Linked> => {
  const sim = on ?? (await startSimulator());
  const messaging = messagingOf(sim);
  const auth = await tempAuthDir();
  const config = media ? { fetchAgent: new HttpsAgent({ ca: (await messaging.media.start()).ca }) } : {};
  const { client } = await linkByQr(sim, phone, auth, config);
  const upserts: WAMessage[] = [];
  const updates: WAMessageUpdate[] = [];
  const receipts: MessageUserReceiptUpdate[] = [];
  client.sock.ev.on('message-receipt.update', (r) => void receipts.push(...r));
  const groupEvents: Linked['groupEvents'] = [];
  client.sock.ev.on('groups.upsert', (gs) => void groupEvents.push({ event: 'groups.upsert', ids: gs.map((g) => g.id) }));
  client.sock.ev.on('group-participants.update', (u) =>
    void groupEvents.push({ event: 'group-participants.update', ids: u.participants.map((p) => p.id), action: u.action }),
  );
  client.sock.ev.on('messages.upsert', ({ messages }) => void upserts.push(...messages));
  client.sock.ev.on('messages.update', (u) => void updates.push(...u));
  // contacts can only start a session once the library uploaded its prekeys
  await expect.poll(() => sim.phone(phone).companions()[0]?.keys?.preKeys.size ?? 0).toBeGreaterThan(0);
  const synced: Linked['history'] = { chats: [], messages: [] };
  client.sock.ev.on('messaging-history.set', ({ chats, messages }) => {
    synced.chats.push(...chats.map((c) => c.id ?? ''));
    synced.messages.push(...messages);
  });
  const bootstrapped = new Promise<void>((resolve) => client.sock.ev.on('messaging-history.status', (s) => s.status === 'complete' && resolve()));
  await messaging.bootstrapHistory(phone, history);
  await bootstrapped;
  await expect.poll(() => client.sock.ev.isBuffering()).toBe(false);
  const linked: Linked = {
    sim,
    messaging,
    auth,
    client,
    upserts,
    updates,
    receipts,
    groupEvents,
    history: synced,
    // the test may have replaced the client (a reconnect): end whichever is current
    stop: async () => {
      linked.client.sock.end(undefined);
      await linked.client.closed().catch(() => undefined);
      if (!on) {
        await sim.stop();
        await messaging.media.stop();
      }
      await auth.remove();
    },
  };
  return linked;
};

/** What every test ends with: nothing failed quietly on either side. */
export const expectNoHiddenFailure = (l: Linked): void => {
  expect(l.messaging.retries.seen).toEqual([]);
  expect(l.sim.unanswered()).toEqual([]);
  expect(l.sim.errors).toEqual([]);
  expect([...l.messaging.contacts.values()].flatMap((c) => c.failures)).toEqual([]);
  expect(l.messaging.media.server?.rejected ?? []).toEqual([]);
  expect(l.sim.unhandled()).toEqual([]);
};
