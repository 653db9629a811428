/**
 * The ingest path on the sandbox, in-process: early acks, history sync in bulk, duplicates, back-pressure, per-chat
 * order, counters and per-batch chat announcements. Events are observed twice: as emitted (the bus, in commit order)
 * and as delivered (a real webhook receiver).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SandboxChannel } from '../../src/channels/sandbox/channel.js';
import type { SandboxDriver } from '../../src/channels/sandbox/driver.js';
import type { InboundMessage } from '../../src/channels/events.js';
import type { GatewayEvent } from '../../src/domain/events.js';
import type { LiveInstance } from '../../src/domain/registry.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

const jidOf = (n: string) => `${n}@s.whatsapp.net`;
const jidUser = (jid: string) => jid.split('@')[0]!;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const itemsOf = (data: unknown): any[] => (Array.isArray(data) ? data : [data]);

function liveOf(server: TestServer, name: string): LiveInstance {
  const live = server.gateway.registry.get(name);
  if (!live) throw new Error(`instance ${name} is not loaded`);
  return live;
}

function channelOf(server: TestServer, name: string): SandboxChannel {
  const channel = (server.gateway.drivers.get('SANDBOX') as SandboxDriver).channelOf(liveOf(server, name).id);
  if (!channel) throw new Error(`instance ${name} has no sandbox channel`);
  return channel;
}

/** Holds an instance's ingest queue on a step until released: everything pushed meanwhile waits (and counts). */
function holdQueue(live: LiveInstance): { release: () => void; done: Promise<void> } {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const done = live.ingest.push({ kind: 'step', what: 'test: hold the queue', run: () => gate });
  return { release, done };
}

function inbound(from: string, id: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return { key: { remoteJid: jidOf(from), fromMe: false, id }, pushName: `Contact ${from.slice(-4)}`, message: { conversation: text }, messageTimestamp: nowSeconds(), source: 'web', ...extra };
}

async function stored(server: TestServer, name: string, id: string): Promise<any[]> {
  const res = await server.call('POST', `/chat/findMessages/${name}`, { where: { key: { id } } });
  expect(res.status).toBe(200);
  return res.body.messages.records;
}

async function countOf(server: TestServer, name: string) {
  const res = await server.call('GET', `/instance/fetchInstances?instanceName=${name}`);
  expect(res.status).toBe(200);
  return res.body[0]._count as { Message: number; Chat: number; Contact: number };
}

/** The rows really in the tables (COUNT), to hold the counters against. */
async function rowsOf(server: TestServer, name: string) {
  const { kysely } = server.gateway.db;
  const id = liveOf(server, name).id;
  const n = async (table: 'messages' | 'chats' | 'contacts') =>
    Number((await kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).where('instanceId', '=', id).executeTakeFirstOrThrow()).n);
  return { Message: await n('messages'), Chat: await n('chats'), Contact: await n('contacts') };
}

describe('ingest', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const emitted: GatewayEvent[] = [];

  beforeAll(async () => {
    await hook.start();
    // The sandbox's own acks come late (200 ms, 400 ms), so the acks these tests deliver themselves are the first.
    server = await startTestServer({ SANDBOX_ACK_DELAY_MS: '200' });
    server.gateway.bus.subscribe((e) => emitted.push(e));
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  const emittedOf = (instance: string, event?: string) => emitted.filter((e) => e.instanceName === instance && (event === undefined || e.event === event));
  const hookOf = (instance: string, event: string) => hook.events(event).filter((r) => r.body.instance === instance);
  const webhook = (events: string[] = []) => ({ webhook: { url: hook.url, events } });

  describe('an ack that arrives before its message', () => {
    it('is kept, then applied when the inbound message is stored (messages.update after messages.upsert)', async () => {
      await connectedSandbox(server, 'early', '5511970100001', webhook());
      const live = liveOf(server, 'early');
      const channel = channelOf(server, 'early');
      const contact = '5511980100001';
      const key = { remoteJid: jidOf(contact), fromMe: false, id: 'EARLYIN000000001' };

      // Read on another of the owner's devices before this one got the message.
      await channel.ack(key, 'READ');
      expect(live.earlyUpdates.size).toBe(1);
      expect(await stored(server, 'early', key.id)).toEqual([]);
      expect(emittedOf('early', 'messages.update')).toEqual([]);

      await channel.receive(inbound(contact, key.id, 'read before it arrived'));
      expect(live.earlyUpdates.size).toBe(0);
      const [row] = await stored(server, 'early', key.id);
      expect(row).toMatchObject({ key, status: 'READ' });
      const events = emittedOf('early').filter((e) => (e.data as any)?.key?.id === key.id || (e.data as any)?.keyId === key.id);
      expect(events.map((e) => e.event)).toEqual(['messages.upsert', 'messages.update']);
      expect(events[0]!.data).toMatchObject({ key, status: 'DELIVERY_ACK' });
      expect(events[1]!.data).toMatchObject({ keyId: key.id, remoteJid: key.remoteJid, fromMe: false, status: 'READ', instanceId: live.id, messageId: expect.any(String) });
      // Delivered in the same order.
      const update = await hook.waitForEvent('messages.update', (r) => r.body.instance === 'early' && r.body.data.keyId === key.id);
      const upsert = hookOf('early', 'messages.upsert').find((r) => r.body.data.key.id === key.id)!;
      expect(hook.received.indexOf(upsert)).toBeLessThan(hook.received.indexOf(update));
    });

    it('stays kept when the batch that would apply it rolls back, and is applied by the retry', async () => {
      const live = liveOf(server, 'early');
      const channel = channelOf(server, 'early');
      const contact = '5511980100009';
      const key = { remoteJid: jidOf(contact), fromMe: false, id: 'EARLYRETRY000001' };
      await channel.ack(key, 'READ');
      expect(live.earlyUpdates.size).toBe(1);
      const insert = vi.spyOn(server.gateway.repos.messages.writes, 'insertNew').mockRejectedValueOnce(new Error('statement refused once'));
      await channel.receive(inbound(contact, key.id, 'stored on the second try'));
      insert.mockRestore();
      expect(live.earlyUpdates.size).toBe(0);
      const [row] = await stored(server, 'early', key.id);
      expect(row).toMatchObject({ key, status: 'READ' });
      const updates = emittedOf('early', 'messages.update').filter((e) => (e.data as any).keyId === key.id).map((e) => (e.data as any).status);
      expect(updates).toEqual(['READ']);
    });

    it('is applied to a message of the owner sent from another device (append): DELIVERY_ACK over the stored SERVER_ACK', async () => {
      const live = liveOf(server, 'early');
      const channel = channelOf(server, 'early');
      const key = { remoteJid: jidOf('5511980100002'), fromMe: true, id: 'EARLYOWN00000001' };
      await channel.ack(key, 'DELIVERY_ACK');
      expect(live.earlyUpdates.size).toBe(1);
      await channel.inbound('append', [{ key, pushName: null, message: { conversation: 'from my phone' }, messageTimestamp: nowSeconds(), source: 'android' }]);
      expect(live.earlyUpdates.size).toBe(0);
      const [row] = await stored(server, 'early', key.id);
      expect(row).toMatchObject({ key, status: 'DELIVERY_ACK' });
      const events = emittedOf('early').filter((e) => (e.data as any)?.key?.id === key.id || (e.data as any)?.keyId === key.id);
      expect(events.map((e) => e.event)).toEqual(['messages.upsert', 'messages.update']);
      expect(events[0]!.data).toMatchObject({ status: 'SERVER_ACK' });
      expect(events[1]!.data).toMatchObject({ keyId: key.id, fromMe: true, status: 'DELIVERY_ACK' });
    });

    it('is applied to an API send whose ack came back before its record was stored (send.message, then messages.update)', async () => {
      const live = liveOf(server, 'early');
      const channel = channelOf(server, 'early');
      const original = live.channel.send.bind(live.channel);
      // The platform answers so fast that the read receipt is committed before the gateway records the send.
      let calls = 0;
      const send = vi.spyOn(live.channel, 'send').mockImplementation(async (out) => {
        calls++;
        const sent = await original(out);
        await channel.ack(sent.key, 'READ');
        expect(live.earlyUpdates.size).toBe(1);
        return sent;
      });
      const record = await server.gateway.messages.send(live, { number: '5511980100003' }, { kind: 'text', text: 'read at once' }).finally(() => send.mockRestore());
      expect(calls).toBe(1);
      expect(record.status).toBe('PENDING');
      expect(live.earlyUpdates.size).toBe(0);
      const [row] = await stored(server, 'early', record.key.id);
      expect(row).toMatchObject({ key: record.key, status: 'READ' });
      expect(row.MessageUpdate.map((u: any) => u.status)).toContain('READ');
      const events = emittedOf('early').filter((e) => (e.data as any)?.key?.id === record.key.id || (e.data as any)?.keyId === record.key.id);
      expect(events[0]!.event).toBe('send.message');
      expect(events[1]).toMatchObject({ event: 'messages.update', data: { keyId: record.key.id, status: 'READ' } });
      // The sandbox's own SERVER_ACK and DELIVERY_ACK come later: steps backwards, ignored.
      await live.ingest.idle();
      expect((await stored(server, 'early', record.key.id))[0].status).toBe('READ');
    });
  });

  describe('kept acks and later acks of the same message', () => {
    // Updates kept from before their message arrived happened before the batch's own: applied first, so none is lost as a step backwards.
    it('are applied in the order they arrived: a kept READ, then a PLAYED that comes in the batch storing the message', async () => {
      const live = liveOf(server, 'early');
      const channel = channelOf(server, 'early');
      const contact = '5511980100004';
      const key = { remoteJid: jidOf(contact), fromMe: false, id: 'EARLYORDER000001' };
      await channel.ack(key, 'READ');
      expect(live.earlyUpdates.size).toBe(1);
      // The message and the next receipt arrive together (one batch).
      const held = holdQueue(live);
      const arrivals = [channel.receive(inbound(contact, key.id, 'a voice note')), channel.ack(key, 'PLAYED')];
      held.release();
      await Promise.all([held.done, ...arrivals]);
      const [row] = await stored(server, 'early', key.id);
      expect(row.status).toBe('PLAYED');
      const updates = emittedOf('early', 'messages.update').filter((e) => (e.data as any).keyId === key.id).map((e) => (e.data as any).status);
      expect(updates).toEqual(['READ', 'PLAYED']);
      expect(row.MessageUpdate.map((u: any) => u.status)).toEqual(['READ', 'PLAYED']);
    });
  });

  describe('history sync', () => {
    const CHATS = 50;
    const TOTAL = 10_000;
    const fromOf = (c: number) => `55119601${String(c).padStart(5, '0')}`;
    const batch = Array.from({ length: TOTAL }, (_, i) => ({ from: fromOf(i % CHATS), pushName: `History ${i % CHATS}`, text: `history #${i}`, id: `HIST${String(i).padStart(12, '0')}`, timestamp: 1_700_000_000 + i }));
    const setTotal = () => hookOf('hist', 'messages.set').reduce((n, r) => n + r.body.data.length, 0);

    it('10,000 messages over 50 chats: stored once, announced by messages.set and chats.set only, counted', async () => {
      await connectedSandbox(server, 'hist', '5511970100002', webhook(['MESSAGES_SET', 'CHATS_SET']));
      const res = await server.call('POST', '/sandbox/history/hist', { messages: batch, progress: 100 });
      expect(res).toMatchObject({ status: 201, body: { count: TOTAL } });
      expect((await server.call('POST', '/chat/findMessages/hist', { offset: 1 })).body.messages.total).toBe(TOTAL);

      await waitFor(() => setTotal() === TOTAL, 20_000, 'messages.set of every message');
      const ids = hookOf('hist', 'messages.set').flatMap((r) => r.body.data.map((m: any) => m.key.id));
      expect(new Set(ids).size).toBe(TOTAL);
      expect(hookOf('hist', 'messages.set')[0]!.body.data[0]).toMatchObject({ key: { remoteJid: jidOf(fromOf(0)), fromMe: false, id: batch[0]!.id }, message: { conversation: 'history #0' }, messageTimestamp: 1_700_000_000 });
      await waitFor(() => hookOf('hist', 'chats.set').reduce((n, r) => n + r.body.data.length, 0) >= CHATS, 5000, 'chats.set of every chat');
      const chats = hookOf('hist', 'chats.set').flatMap((r) => r.body.data);
      expect(chats).toHaveLength(CHATS);
      expect(new Set(chats.map((c: any) => c.remoteJid))).toEqual(new Set(Array.from({ length: CHATS }, (_, c) => jidOf(fromOf(c)))));
      expect(chats.find((c: any) => c.remoteJid === jidOf(fromOf(7)))).toMatchObject({ instanceId: liveOf(server, 'hist').id, name: 'History 7' });
      // History is not news: no messages.upsert, no chats.upsert.
      expect(emittedOf('hist', 'messages.upsert')).toEqual([]);
      expect(emittedOf('hist', 'chats.upsert')).toEqual([]);
      expect(await countOf(server, 'hist')).toEqual({ Message: TOTAL, Chat: CHATS, Contact: CHATS });
      expect(await rowsOf(server, 'hist')).toEqual({ Message: TOTAL, Chat: CHATS, Contact: CHATS });
    });

    it('the same batch again stores nothing new and announces nothing new', async () => {
      const setsBefore = emittedOf('hist', 'messages.set').length;
      const chatSetsBefore = emittedOf('hist', 'chats.set').length;
      const res = await server.call('POST', '/sandbox/history/hist', { messages: batch, progress: 100 });
      expect(res).toMatchObject({ status: 201, body: { count: TOTAL } });
      expect(await countOf(server, 'hist')).toEqual({ Message: TOTAL, Chat: CHATS, Contact: CHATS });
      expect((await server.call('POST', '/chat/findMessages/hist', { offset: 1 })).body.messages.total).toBe(TOTAL);
      expect(emittedOf('hist', 'messages.set')).toHaveLength(setsBefore);
      expect(emittedOf('hist', 'chats.set')).toHaveLength(chatSetsBefore);

      // One new message after it: once its messages.set is delivered, any from the repeat would have been too.
      const marker = { from: fromOf(0), text: 'history marker', id: 'HISTMARKER000001', timestamp: 1_700_100_000 };
      expect((await server.call('POST', '/sandbox/history/hist', { messages: [marker] })).status).toBe(201);
      await waitFor(() => setTotal() === TOTAL + 1, 5000, 'the marker');
      expect(hookOf('hist', 'messages.set').at(-1)!.body.data.map((m: any) => m.key.id)).toEqual([marker.id]);
      expect(emittedOf('hist', 'messages.set')).toHaveLength(setsBefore + 1);
      expect(emittedOf('hist', 'chats.set')).toHaveLength(chatSetsBefore);
      expect(await countOf(server, 'hist')).toEqual({ Message: TOTAL + 1, Chat: CHATS, Contact: CHATS });
    });
  });

  describe('duplicates', () => {
    it('the same inbound id posted twice: one row, one messages.upsert', async () => {
      await connectedSandbox(server, 'dup', '5511970100003', webhook(['MESSAGES_UPSERT']));
      const body = { from: '5511980300001', pushName: 'Twice', text: 'only once', id: 'DUPLICATE0000001' };
      expect((await server.call('POST', '/sandbox/inbound/dup', body)).status).toBe(201);
      expect((await server.call('POST', '/sandbox/inbound/dup', body)).status).toBe(201);
      expect((await server.call('POST', '/sandbox/inbound/dup', { ...body, text: 'same id, other text' })).status).toBe(201);
      expect((await server.call('POST', '/sandbox/inbound/dup', { ...body, text: 'after', id: 'DUPLICATE0000002' })).status).toBe(201);
      await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'dup' && r.body.data.key.id === 'DUPLICATE0000002');
      expect(await stored(server, 'dup', body.id)).toHaveLength(1);
      expect((await stored(server, 'dup', body.id))[0].message).toEqual({ conversation: 'only once' });
      expect(hookOf('dup', 'messages.upsert').filter((r) => r.body.data.key.id === body.id)).toHaveLength(1);
      expect(emittedOf('dup', 'messages.upsert').filter((e) => (e.data as any).key.id === body.id)).toHaveLength(1);
      expect(await countOf(server, 'dup')).toEqual({ Message: 2, Chat: 1, Contact: 1 });
    });
  });

  describe('order', () => {
    it('8 chats x 200 messages posted concurrently (in order within a chat): messages.upsert per chat in post order', async () => {
      const CHATS = 8;
      const PER_CHAT = 200;
      await connectedSandbox(server, 'order', '5511970100004', webhook(['MESSAGES_UPSERT']));
      const fromOf = (c: number) => `55119604${String(c).padStart(5, '0')}`;
      const idOf = (c: number, i: number) => `ORDER${c}${String(i).padStart(10, '0')}`;
      let retries = 0;
      await Promise.all(
        Array.from({ length: CHATS }, async (_, c) => {
          for (let i = 0; i < PER_CHAT; i++) {
            for (;;) {
              const res = await server.call('POST', '/sandbox/inbound/order', { from: fromOf(c), pushName: `Order ${c}`, text: `chat ${c} #${i}`, id: idOf(c, i) });
              if (res.status === 201) break;
              expect(res.status).toBe(503);
              retries++;
              await new Promise((r) => setTimeout(r, 10));
            }
          }
        }),
      );
      await waitFor(() => hookOf('order', 'messages.upsert').length >= CHATS * PER_CHAT, 20_000, 'every messages.upsert');
      expect(hookOf('order', 'messages.upsert')).toHaveLength(CHATS * PER_CHAT);
      for (let c = 0; c < CHATS; c++) {
        const expected = Array.from({ length: PER_CHAT }, (_, i) => idOf(c, i));
        const delivered = hookOf('order', 'messages.upsert').filter((r) => r.body.data.key.remoteJid === jidOf(fromOf(c))).map((r) => r.body.data.key.id);
        expect(delivered, `chat ${c} as delivered`).toEqual(expected);
        const emittedIds = emittedOf('order', 'messages.upsert').filter((e) => (e.data as any).key.remoteJid === jidOf(fromOf(c))).map((e) => (e.data as any).key.id);
        expect(emittedIds, `chat ${c} as emitted`).toEqual(expected);
      }
      expect(await countOf(server, 'order')).toEqual({ Message: CHATS * PER_CHAT, Chat: CHATS, Contact: CHATS });
      expect(retries).toBeGreaterThanOrEqual(0);
    });
  });

  describe('counters', () => {
    it('fetchInstances _count follows inbound messages, sends, history and new chats, and matches the rows', async () => {
      const token = await connectedSandbox(server, 'counts', '5511970100005', webhook(['SEND_MESSAGE']));
      const live = liveOf(server, 'counts');
      const [A, B, C, D, E] = ['5511980500001', '5511980500002', '5511980500003', '5511980500004', '5511980500005'];
      expect(await countOf(server, 'counts')).toEqual({ Message: 0, Chat: 0, Contact: 0 });
      const post = async (from: string, id: string) => expect((await server.call('POST', '/sandbox/inbound/counts', { from, pushName: `P ${from.slice(-1)}`, text: id, id })).status).toBe(201);
      await post(A, 'COUNTA0000000001');
      expect(await countOf(server, 'counts')).toEqual({ Message: 1, Chat: 1, Contact: 1 });
      await post(A, 'COUNTA0000000002');
      await post(A, 'COUNTA0000000001'); // duplicate
      await post(B, 'COUNTB0000000001');
      await post(C, 'COUNTC0000000001');
      expect(await countOf(server, 'counts')).toEqual({ Message: 4, Chat: 3, Contact: 3 });

      // Sends: to a new chat (no contact row for it) and to an existing one.
      const toD = await server.call('POST', '/message/sendText/counts', { number: D, text: 'new chat' }, token);
      expect(toD.status).toBe(201);
      await server.gateway.messages.send(live, { number: A }, { kind: 'location', latitude: 1, longitude: 2 });
      expect(await countOf(server, 'counts')).toEqual({ Message: 6, Chat: 4, Contact: 3 });

      // History: a new chat and contact, and old messages of a known chat.
      const history = [...Array.from({ length: 5 }, (_, i) => ({ from: E, text: `e${i}`, id: `COUNTHE00000000${i}`, timestamp: 1_700_000_000 + i })), { from: A, text: 'old a', id: 'COUNTHA000000001', timestamp: 1_600_000_000 }, { from: A, text: 'mine', id: 'COUNTHA000000002', timestamp: 1_600_000_001, fromMe: true }];
      expect((await server.call('POST', '/sandbox/history/counts', { messages: history })).status).toBe(201);
      // Acks change no count.
      await waitFor(async () => (await stored(server, 'counts', toD.body.key.id))[0]?.status === 'DELIVERY_ACK', 5000, 'the send acked');
      await live.ingest.idle();

      const expected = { Message: 13, Chat: 5, Contact: 4 };
      expect(await countOf(server, 'counts')).toEqual(expected);
      expect(await rowsOf(server, 'counts')).toEqual(expected);
      expect((await server.call('POST', '/chat/findMessages/counts', {}, token)).body.messages.total).toBe(expected.Message);
      expect((await server.call('POST', '/chat/findChats/counts', {}, token)).body).toHaveLength(expected.Chat);
      expect((await server.call('POST', '/chat/findContacts/counts', {}, token)).body).toHaveLength(expected.Contact);
    });
  });

  describe('chats in one batch', () => {
    it('messages of different chats in one delivery each get their own chats.upsert the first time', async () => {
      await connectedSandbox(server, 'batch', '5511970100006', webhook(['CHATS_UPSERT', 'CHATS_UPDATE', 'MESSAGES_UPSERT']));
      const channel = channelOf(server, 'batch');
      const [P, Q, R] = ['5511980600001', '5511980600002', '5511980600003'];
      await channel.inbound('live', [inbound(P, 'BATCHP0000000001', 'p1'), inbound(Q, 'BATCHQ0000000001', 'q1'), inbound(P, 'BATCHP0000000002', 'p2'), inbound(R, 'BATCHR0000000001', 'r1')]);
      const upserts = emittedOf('batch', 'chats.upsert');
      expect(upserts.map((e) => itemsOf(e.data).map((c) => c.remoteJid))).toEqual([[jidOf(P)], [jidOf(Q)], [jidOf(R)]]);
      expect(itemsOf(upserts[0]!.data)[0]).toMatchObject({ remoteJid: jidOf(P), unreadMessages: 1, name: 'Contact 0001' });
      expect(emittedOf('batch', 'chats.update').map((e) => itemsOf(e.data).map((c) => c.remoteJid))).toEqual([[jidOf(P)]]);
      // Each chat event follows its own message.
      const order = emittedOf('batch').filter((e) => e.event === 'messages.upsert' || e.event.startsWith('chats.')).map((e) => `${e.event}:${e.event === 'messages.upsert' ? (e.data as any).key.id : jidUser(itemsOf(e.data)[0].remoteJid).slice(-5)}`);
      expect(order).toEqual(['messages.upsert:BATCHP0000000001', 'chats.upsert:00001', 'messages.upsert:BATCHQ0000000001', 'chats.upsert:00002', 'messages.upsert:BATCHP0000000002', 'chats.update:00001', 'messages.upsert:BATCHR0000000001', 'chats.upsert:00003']);
      expect(await countOf(server, 'batch')).toEqual({ Message: 4, Chat: 3, Contact: 3 });
      await waitFor(() => hookOf('batch', 'chats.upsert').length === 3, 5000, 'three chats.upsert delivered');
    });

    it('deliveries of several chats committed together (queue held, then drained as one batch) each get their own chats.upsert', async () => {
      const live = liveOf(server, 'batch');
      const channel = channelOf(server, 'batch');
      const [P, S, T, U] = ['5511980600001', '5511980600004', '5511980600005', '5511980600006'];
      const before = emittedOf('batch', 'chats.upsert').length;
      const held = holdQueue(live);
      const deliveries = [
        channel.inbound('live', [inbound(S, 'BATCHS0000000001', 's1'), inbound(T, 'BATCHT0000000001', 't1')]),
        channel.inbound('live', [inbound(U, 'BATCHU0000000001', 'u1'), inbound(S, 'BATCHS0000000002', 's2')]),
        channel.inbound('live', [inbound(P, 'BATCHP0000000003', 'p3')]),
        channel.inbound('live', [inbound(T, 'BATCHT0000000002', 't2'), inbound(U, 'BATCHU0000000002', 'u2')]),
      ];
      expect(live.ingest.pending).toBe(7);
      held.release();
      await Promise.all([held.done, ...deliveries]);
      const upserts = emittedOf('batch', 'chats.upsert').slice(before);
      expect(upserts.map((e) => itemsOf(e.data).map((c) => c.remoteJid))).toEqual([[jidOf(S)], [jidOf(T)], [jidOf(U)]]);
      const updates = emittedOf('batch', 'chats.update').map((e) => itemsOf(e.data)[0].remoteJid);
      expect(updates.slice(-4)).toEqual([jidOf(S), jidOf(P), jidOf(T), jidOf(U)]);
      expect(await countOf(server, 'batch')).toEqual({ Message: 11, Chat: 6, Contact: 6 });
      expect(await rowsOf(server, 'batch')).toEqual({ Message: 11, Chat: 6, Contact: 6 });
    });
  });
});

describe('ingest back-pressure (INGEST_MAX_PENDING_PER_INSTANCE=5)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ INGEST_MAX_PENDING_PER_INSTANCE: '5' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (name: string, i: number) => server.call('POST', `/sandbox/inbound/${name}`, { from: `55119607${String(i % 4).padStart(5, '0')}`, pushName: `Flood ${i % 4}`, text: `flood #${i}`, id: `FLOOD${name.toUpperCase()}${String(i).padStart(8, '0')}` });
  const idOf = (name: string, i: number) => `FLOOD${name.toUpperCase()}${String(i).padStart(8, '0')}`;

  it('while the queue is full, posts are refused with 503 and retry-after and not stored; the accepted ones are stored', async () => {
    await connectedSandbox(server, 'bp', '5511970100007');
    const live = liveOf(server, 'bp');
    const N = 40;
    const holdBacks = async () => (await server.gateway.metrics.holdBacks.get()).values.find((v) => v.labels.channel === 'SANDBOX')?.value ?? 0;
    const holdBacksBefore = await holdBacks();
    const held = holdQueue(live);
    const answers: Array<{ status: number; body: any; headers: Headers } | undefined> = new Array(N);
    const posts = Array.from({ length: N }, (_, i) => post('bp', i).then((r) => (answers[i] = r)));
    // With the queue held, exactly 5 messages fit; the others are answered at once.
    await waitFor(() => answers.filter(Boolean).length === N - 5, 10_000, 'the refusals');
    expect(live.ingest.pending).toBe(5);
    expect(await holdBacks()).toBe(holdBacksBefore + N - 5);
    expect((await server.gateway.metrics.registry.getSingleMetric('gateway_ingest_pending')!.get()).values[0]!.value).toBeGreaterThanOrEqual(5);
    held.release();
    await Promise.all(posts);

    const accepted = answers.flatMap((a, i) => (a!.status === 201 ? [i] : []));
    const refused = answers.flatMap((a, i) => (a!.status === 503 ? [i] : []));
    expect(accepted).toHaveLength(5);
    expect(refused).toHaveLength(N - 5);
    for (const i of refused) {
      const a = answers[i]!;
      expect(a.body).toEqual({ status: 503, error: 'Service Unavailable', response: { message: [expect.any(String)] } });
      expect(a.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    }
    await live.ingest.idle();
    for (const i of accepted) expect(await stored(server, 'bp', idOf('bp', i)), `accepted #${i}`).toHaveLength(1);
    for (const i of refused) expect(await stored(server, 'bp', idOf('bp', i)), `refused #${i}`).toHaveLength(0);
    expect(await countOf(server, 'bp')).toEqual({ Message: 5, Chat: expect.any(Number), Contact: expect.any(Number) });

    // Posted again (as a client does after retry-after), they are all taken.
    for (const i of refused) {
      await waitFor(async () => (await post('bp', i)).status === 201, 10_000, `re-post #${i}`);
    }
    for (const i of refused) expect(await stored(server, 'bp', idOf('bp', i))).toHaveLength(1);
    expect(await countOf(server, 'bp')).toEqual({ Message: N, Chat: 4, Contact: 4 });
  });

  it('a flood of concurrent posts while the queue fills and drains: every 201 is stored, no 503 is, nothing twice', async () => {
    await connectedSandbox(server, 'flood', '5511970100008');
    const live = liveOf(server, 'flood');
    const N = 300;
    // The queue is held until a third of the answers are in, then drains while the rest still arrive.
    const held = holdQueue(live);
    let answered = 0;
    const flood = Promise.all(Array.from({ length: N }, (_, i) => post('flood', i).finally(() => answered++)));
    await waitFor(() => answered >= N / 3, 10_000, 'a third of the answers');
    held.release();
    const answers = await flood;
    await live.ingest.idle();
    const accepted = answers.flatMap((a, i) => (a.status === 201 ? [i] : []));
    const refused = answers.flatMap((a, i) => (a.status === 503 ? [i] : []));
    expect(accepted.length + refused.length).toBe(N);
    expect(refused.length).toBeGreaterThanOrEqual(N / 3 - 5);
    for (const i of refused) expect(answers[i]!.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const ids = new Set<string>();
    let page = 1;
    for (;;) {
      const res = await server.call('POST', '/chat/findMessages/flood', { page, offset: 1000 });
      for (const r of res.body.messages.records) ids.add(r.key.id);
      if (page >= res.body.messages.pages) break;
      page++;
    }
    expect([...ids].sort()).toEqual(accepted.map((i) => idOf('flood', i)).sort());
    expect(await countOf(server, 'flood')).toMatchObject({ Message: accepted.length });
  });
});
