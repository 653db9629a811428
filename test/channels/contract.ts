/**
 * The channel contract: one set of tests every channel driver passes, whatever network it speaks to. A driver's test
 * file calls `channelContract(harness)` with the few things only it knows (how the phone logs in, how a contact writes);
 * everything else is read from the driver itself (its capabilities) and checked through the gateway, in-process and
 * over HTTP, as a client would see it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALL_SEND_KINDS, OPERATION_FAMILIES, sendCapability, type Capability, type OperationFamily } from '../../src/channels/capabilities.js';
import type { ChannelOperations } from '../../src/channels/channel.js';
import type { ContentKind, MediaSource, OutboundContent } from '../../src/channels/content.js';
import type { ChannelDriver } from '../../src/channels/driver.js';
import { operations, optionalOperations } from '../../src/domain/capabilities.js';
import { ApiError } from '../../src/domain/errors.js';
import { toJid } from '../../src/domain/jid.js';
import type { LiveInstance } from '../../src/domain/registry.js';
import { ACK_ORDER, type AckStatus, type MessageKey } from '../../src/domain/types.js';
import { WebhookReceiver, type Received } from '../helpers/receiver.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';

/** What a content sample may refer to: media served on 127.0.0.1, and a message this instance sent before. */
export interface SampleContext {
  /** A URL of a small file served by the suite (by extension: jpg, mp4, webp, ogg, pdf...). */
  mediaUrl(file: string): string;
  /** A small file of the suite kept in the gateway's media store (and uploaded when the channel has an upload step). */
  media(file: string): MediaSource;
  /** The key of a text message the instance sent just before (for reactions, edits, deletes). */
  previous: MessageKey;
  /** The recipient's JID. */
  recipientJid: string;
}

export type ContentSample = (ctx: SampleContext) => OutboundContent;

export interface ContractHarness {
  /** The `integration` of /instance/create: 'SANDBOX', 'WHATSAPP-BAILEYS', ... */
  integration: string;
  /** Extra server environment. */
  env?: Record<string, string>;
  /** Extra /instance/create fields the driver needs (number, businessId, token...). */
  createFields?: Record<string, unknown>;
  /** Extra /instance/create fields of the `index`-th logged-in instance (a Cloud API number of its own...). */
  createFieldsFor?(index: number): Record<string, unknown>;
  /** Logs the instance in (after /instance/create), e.g. the sandbox scans the QR via /sandbox/scan. Returns when open. */
  login(server: TestServer, instanceName: string, number: string): Promise<void>;
  /** A contact (or other phone) sends a text message to the instance. Resolves once the channel handed it over. */
  contactSends(server: TestServer, instanceName: string, from: string, text: string, id: string): Promise<void>;
  /** A number the channel accepts as a recipient. */
  recipient: string;
  /** The number the `index`-th instance of the suite logs in as (default: distinct Brazilian mobile numbers). */
  number?(index: number): string;
  /** The number of the `index`-th contact writing to the instance (default: distinct numbers). */
  contact?(index: number): string;
  /** The acks the channel reports for a message sent to `recipient`, in order; omit when it reports none. */
  acks?: AckStatus[];
  /** Content samples per kind, replacing the suite's defaults. */
  samples?: Partial<Record<ContentKind, ContentSample>>;
}

/** The suite's samples of every content kind: media both as a URL and as bytes. */
export const DEFAULT_SAMPLES: Record<ContentKind, ContentSample> = {
  text: () => ({ kind: 'text', text: 'contract: plain text ✓' }),
  image: (c) => ({ kind: 'image', media: c.media('photo.jpg'), mimetype: 'image/jpeg', caption: 'a photo' }),
  video: (c) => ({ kind: 'video', media: c.media('clip.mp4'), caption: 'a clip' }),
  document: (c) => ({ kind: 'document', media: c.media('contract.pdf'), mimetype: 'application/pdf', fileName: 'contract.pdf', caption: 'the contract' }),
  audio: (c) => ({ kind: 'audio', media: c.media('voice.ogg'), voiceNote: true }),
  ptv: (c) => ({ kind: 'ptv', media: c.media('round.mp4') }),
  sticker: (c) => ({ kind: 'sticker', media: c.media('sticker.webp') }),
  location: () => ({ kind: 'location', latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' }),
  contacts: () => ({ kind: 'contacts', contacts: [{ fullName: 'Ana Contract', phoneNumber: '+55 11 98877-0001' }, { fullName: 'Bruno Contract', phoneNumber: '+55 11 98877-0002', organization: 'ACME' }] }),
  reaction: (c) => ({ kind: 'reaction', key: c.previous, emoji: '👍' }),
  poll: () => ({ kind: 'poll', name: 'Lunch?', values: ['pizza', 'sushi', 'salad'], selectableCount: 1 }),
  list: () => ({ kind: 'list', title: 'Menu', description: 'Pick one', footerText: 'contract', buttonText: 'Open', sections: [{ title: 'Mains', rows: [{ title: 'Pizza', rowId: 'pizza' }, { title: 'Sushi', description: 'raw', rowId: 'sushi' }] }] }),
  buttons: () => ({ kind: 'buttons', title: 'Choose', description: 'Yes or no?', footer: 'contract', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }] }),
  template: () => ({ kind: 'template', name: 'hello_world', language: 'en_US' }),
  edit: (c) => ({ kind: 'edit', key: c.previous, text: 'contract: edited' }),
  delete: (c) => ({ kind: 'delete', key: c.previous }),
  status: (c) => ({ kind: 'status', type: 'image', content: c.mediaUrl('status.jpg'), media: c.media('status.jpg'), caption: 'a status', statusJidList: [c.recipientJid] }),
};

/** The messageType the stored record of a send has (upstream's names). */
export function expectedMessageType(content: OutboundContent): string {
  switch (content.kind) {
    case 'text':
      return 'conversation';
    case 'contacts':
      return content.contacts.length === 1 ? 'contactMessage' : 'contactsArrayMessage';
    case 'poll':
      return 'pollCreationMessage';
    case 'buttons':
      // Buttons go out as an interactive message with native flow buttons, as WhatsApp Web sends them today.
      return 'interactiveMessage';
    case 'edit':
    case 'delete':
      return 'protocolMessage';
    case 'status':
      // A text status goes out as extendedTextMessage, which the record keeps as conversation.
      return content.type === 'text' ? 'conversation' : `${content.type}Message`;
    default:
      return `${content.kind}Message`;
  }
}

const KEYED_KINDS: ContentKind[] = ['reaction', 'edit', 'delete'];
const STATUS_JID = 'status@broadcast';
const json = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const itemsOf = (data: unknown): any[] => (Array.isArray(data) ? data : [data]);

const MEDIA_TYPES: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', mp4: 'video/mp4', webp: 'image/webp', ogg: 'audio/ogg', mp3: 'audio/mpeg', pdf: 'application/pdf' };
const SAMPLE_FILES = ['photo.jpg', 'clip.mp4', 'contract.pdf', 'voice.ogg', 'round.mp4', 'sticker.webp', 'status.jpg'];
const mediaTypeOf = (file: string) => MEDIA_TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream';

/** A suite file put in the gateway's media store as the media pipeline leaves it, then uploaded if the channel uploads. */
async function storedSample(server: TestServer, live: LiveInstance, file: string): Promise<MediaSource> {
  const data = Buffer.from(`contract media /${file}`);
  const saved = await server.gateway.media.save(live.id, data, mediaTypeOf(file));
  const source: MediaSource = { storageKey: saved.key, mimetype: saved.mimetype, fileLength: saved.size, fileSha256: saved.sha256 };
  const uploads = optionalOperations(live, 'media');
  if (uploads?.upload) Object.assign(source, await uploads.upload({ data, mimetype: saved.mimetype, fileSha256: saved.sha256 }));
  return source;
}

/** A tiny media host on 127.0.0.1: any path answers a few bytes with the content type of its extension. */
async function startMediaServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': mediaTypeOf(req.url ?? '') });
    res.end(Buffer.from(`contract media ${req.url}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Declares the contract suite of one driver. */
export function channelContract(h: ContractHarness): void {
  describe(`channel contract: ${h.integration}`, () => {
    let server: TestServer;
    let media: { url: string; server: Server };
    const hook = new WebhookReceiver();
    let instances = 0;
    let ids = 0;

    beforeAll(async () => {
      await hook.start();
      media = await startMediaServer();
      server = await startTestServer(h.env ?? {});
    });
    afterAll(async () => {
      await server?.stop();
      await hook.stop();
      await new Promise((r) => media?.server.close(r));
    });

    const number = (i: number) => h.number?.(i) ?? `55119700${String(i).padStart(5, '0')}`;
    const contact = (i: number) => h.contact?.(i) ?? `55119800${String(i).padStart(5, '0')}`;
    const newId = () => `3EB0C0${(++ids).toString(16).toUpperCase().padStart(14, '0')}`;
    const driver = (s: TestServer = server): ChannelDriver => {
      const d = s.gateway.drivers.get(h.integration);
      if (!d) throw new Error(`the server runs no ${h.integration} driver`);
      return d;
    };
    const claims = (c: Capability) => driver().capabilities.has(c);
    const liveOf = (name: string, s: TestServer = server): LiveInstance => {
      const live = s.gateway.registry.get(name);
      if (!live) throw new Error(`instance ${name} is not loaded`);
      return live;
    };
    const eventsOf = (instance: string, event: string) => hook.events(event).filter((r) => r.body.instance === instance);
    const sampleOf = (kind: ContentKind, ctx: SampleContext) => (h.samples?.[kind] ?? DEFAULT_SAMPLES[kind])(ctx);
    const sampleContext = async (previous: MessageKey, live: LiveInstance): Promise<SampleContext> => {
      const stored = new Map<string, MediaSource>();
      // Stored only where the channel may send media: a refused kind must not reach the channel, not even an upload.
      if (ALL_SEND_KINDS.some((k) => ['image', 'video', 'document', 'audio', 'ptv', 'sticker', 'status'].includes(k) && claims(sendCapability(k)))) {
        for (const file of SAMPLE_FILES) stored.set(file, await storedSample(server, live, file));
      }
      return {
        mediaUrl: (file) => `${media.url}/${file}`,
        media: (file) => stored.get(file) ?? { storageKey: `missing/${file}`, mimetype: mediaTypeOf(file), fileLength: 0, fileSha256: '' },
        previous,
        recipientJid: toJid(h.recipient),
      };
    };
    const placeholderKey = (): MessageKey => ({ remoteJid: toJid(h.recipient), fromMe: true, id: newId() });

    const create = async (s: TestServer, name: string, extra: Record<string, unknown> = {}) => {
      const res = await s.call('POST', '/instance/create', { instanceName: name, integration: h.integration, webhook: { url: hook.url, events: [] }, ...h.createFields, ...extra });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { hash: string; instance: { instanceId: string }; qrcode?: unknown };
    };
    /** A new instance, logged in: its name, token, id and number. */
    const loggedIn = async (s: TestServer, prefix: string) => {
      const index = ++instances;
      const name = `${prefix}-${index}`;
      const created = await create(s, name, { qrcode: driver(s).capabilities.has('login:qr'), ...h.createFieldsFor?.(index) });
      await h.login(s, name, number(index));
      return { name, token: created.hash, id: created.instance.instanceId, number: number(index) };
    };
    let main: ReturnType<typeof loggedIn> | undefined;
    /** The instance the send and receive tests share. */
    const mainInstance = () => (main ??= loggedIn(server, 'contract'));

    const findById = async (name: string, id: string, s: TestServer = server) => {
      const res = await s.call('POST', `/chat/findMessages/${name}`, { where: { key: { id } } });
      expect(res.status).toBe(200);
      return res.body.messages as { total: number; records: any[] };
    };
    const total = async (name: string) => (await server.call('POST', `/chat/findMessages/${name}`, {})).body.messages.total as number;
    /** A text send whose send.message has arrived: everything the instance announced before it has arrived too. */
    const marker = async (name: string) => {
      const sent = await server.gateway.messages.send(liveOf(name), { number: h.recipient }, { kind: 'text', text: 'contract: marker' });
      await hook.waitForEvent('send.message', (r) => r.body.instance === name && r.body.data.key.id === sent.key.id);
      return sent;
    };

    describe('connect and login', () => {
      it('create with qrcode:true answers a QR (PNG data URL, count 1, no pairing code) and announces it with connection.update', async (ctx) => {
        ctx.skip(!claims('login:qr'), `${h.integration} does not claim login:qr`);
        const index = ++instances;
        const name = `qr-${index}`;
        const created = await create(server, name, { qrcode: true });
        const qr = created.qrcode as Record<string, unknown>;
        expect(Object.keys(qr).sort()).toEqual(['base64', 'code', 'count', 'pairingCode']);
        expect(qr).toMatchObject({ pairingCode: null, count: 1 });
        expect(typeof qr.code).toBe('string');
        expect((qr.code as string).length).toBeGreaterThan(0);
        expect(qr.base64).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
        const png = Buffer.from((qr.base64 as string).split(',')[1]!, 'base64');
        expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

        const shown = await hook.waitForEvent('qrcode.updated', (r) => r.body.instance === name);
        expect(shown.body.data.qrcode).toMatchObject({ instance: name, pairingCode: null, code: qr.code, base64: qr.base64 });
        await hook.waitForEvent('connection.update', (r) => r.body.instance === name && r.body.data.state === 'connecting');
        expect((await server.call('GET', `/instance/connectionState/${name}`)).body).toEqual({ instance: { instanceName: name, state: 'connecting' } });
        // While connecting, connect answers the QR being shown.
        const again = await server.call('GET', `/instance/connect/${name}`);
        expect(again).toMatchObject({ status: 200, body: { code: qr.code, count: 1 } });

        await h.login(server, name, number(index));
        const open = await hook.waitForEvent('connection.update', (r) => r.body.instance === name && r.body.data.state === 'open');
        expect(open.body.data).toMatchObject({ instance: name, state: 'open', statusReason: 200, wuid: `${number(index)}@s.whatsapp.net` });
        const states = eventsOf(name, 'connection.update').map((r) => r.body.data.state);
        expect(states.indexOf('connecting')).toBeLessThan(states.indexOf('open'));
      });

      it('connect with ?number= answers a pairing code', async (ctx) => {
        ctx.skip(!claims('login:pairingCode'), `${h.integration} does not claim login:pairingCode`);
        const index = ++instances;
        const name = `pair-${index}`;
        await create(server, name);
        const res = await server.call('GET', `/instance/connect/${name}?number=${number(index)}`);
        expect(res.status).toBe(200);
        expect(res.body.pairingCode).toMatch(/^[A-Z0-9]{8}$/);
        await hook.waitForEvent('connection.update', (r) => r.body.instance === name && r.body.data.state === 'connecting');
        await h.login(server, name, number(index));
        await hook.waitForEvent('connection.update', (r) => r.body.instance === name && r.body.data.state === 'open');
      });

      it('after login, connectionState is open and fetchInstances shows the owner', async () => {
        const m = await loggedIn(server, 'login');
        expect((await server.call('GET', `/instance/connectionState/${m.name}`, undefined, m.token)).body).toEqual({ instance: { instanceName: m.name, state: 'open' } });
        expect((await server.call('GET', `/instance/connect/${m.name}`, undefined, m.token)).body).toEqual({ instance: { instanceName: m.name, state: 'open' } });
        const fetched = await server.call('GET', `/instance/fetchInstances?instanceName=${m.name}`);
        expect(fetched.status).toBe(200);
        expect(fetched.body).toHaveLength(1);
        expect(fetched.body[0]).toMatchObject({ name: m.name, id: m.id, integration: h.integration, connectionStatus: 'open', ownerJid: `${m.number}@s.whatsapp.net` });
        const open = await hook.waitForEvent('connection.update', (r) => r.body.instance === m.name && r.body.data.state === 'open');
        expect(open.body.sender).toBe(`${m.number}@s.whatsapp.net`);
      });
    });

    describe('sends every content kind it claims', () => {
      for (const kind of ALL_SEND_KINDS) {
        it(`send:${kind}: recorded PENDING as ${kind}, findable, announced by send.message${h.acks?.length ? `, acked ${h.acks.join(' then ')}` : ''}`, async (ctx) => {
          ctx.skip(!claims(sendCapability(kind)), `${h.integration} does not claim send:${kind}`);
          const keyed = KEYED_KINDS.includes(kind);
          ctx.skip(keyed && !claims('send:text'), `send:${kind} needs send:text for a message to refer to`);
          const m = await mainInstance();
          const live = liveOf(m.name);
          const previous = keyed ? (await server.gateway.messages.send(live, { number: h.recipient }, { kind: 'text', text: `contract: before the ${kind}` })).key : placeholderKey();
          const content = sampleOf(kind, await sampleContext(previous, live));
          expect(content.kind).toBe(kind);
          const numberTo = kind === 'status' ? STATUS_JID : h.recipient;

          const record = await server.gateway.messages.send(live, { number: numberTo }, content);
          const type = expectedMessageType(content);
          expect(record.key).toMatchObject({ remoteJid: toJid(numberTo), fromMe: true });
          expect(typeof record.key.id).toBe('string');
          expect(record.key.id.length).toBeGreaterThan(0);
          expect(record).toMatchObject({ status: 'PENDING', messageType: type, pushName: 'Você', instanceId: m.id });
          expect(typeof record.messageTimestamp).toBe('number');
          expect(typeof record.source).toBe('string');
          if (type === 'conversation') expect(typeof record.message.conversation).toBe('string');
          else expect(record.message[type]).toBeTypeOf('object');
          if (content.kind === 'text') expect(record.message).toEqual({ conversation: content.text });
          if (content.kind === 'edit' || content.kind === 'delete') expect(record.message.protocolMessage).toMatchObject({ key: { id: previous.id }, type: content.kind === 'edit' ? 'MESSAGE_EDIT' : 'REVOKE' });
          if (content.kind === 'reaction') expect(record.message.reactionMessage).toMatchObject({ key: { id: previous.id }, text: content.emoji });

          const found = await findById(m.name, record.key.id);
          expect(found.total).toBe(1);
          expect(found.records[0]).toMatchObject(json({ key: record.key, messageType: type, message: record.message, instanceId: m.id }));

          const announced = await hook.waitForEvent('send.message', (r) => r.body.instance === m.name && r.body.data.key.id === record.key.id);
          expect(announced.body.data).toEqual(json(record));
          expect(eventsOf(m.name, 'send.message').filter((r) => r.body.data.key.id === record.key.id)).toHaveLength(1);

          if (!h.acks?.length) return;
          // A status post is acknowledged by the server only: its viewers' receipts are not message acks.
          const expectedAcks = content.kind === 'status' ? h.acks.slice(0, 1) : h.acks;
          const last = expectedAcks.at(-1)!;
          const isAck = (r: Received) => r.body.instance === m.name && r.body.data.keyId === record.key.id && r.body.data.status !== undefined;
          await hook.waitForEvent('messages.update', (r) => isAck(r) && r.body.data.status === last);
          const acks = hook.events('messages.update').filter(isAck);
          const statuses = acks.map((r) => r.body.data.status as AckStatus);
          // In the order the channel reports them and never backwards: an ack that comes after a later one is dropped.
          // (Exactly h.acks when the channel reports them in order; the sandbox does not always, see sandboxNetwork.test.ts.)
          expect(statuses.filter((s) => !expectedAcks.includes(s)), 'acks the channel does not report').toEqual([]);
          const order = statuses.map((s) => ACK_ORDER.indexOf(s));
          expect(order, `never backwards nor repeated: ${statuses.join(', ')}`).toEqual([...new Set(order)].sort((a, b) => a - b));
          expect(statuses.at(-1)).toBe(last);
          expect(acks[0]!.body.data).toMatchObject({ keyId: record.key.id, remoteJid: record.key.remoteJid, fromMe: true, instanceId: m.id });
          // The message is announced before anything that happens to it.
          expect(hook.received.indexOf(announced)).toBeLessThan(hook.received.indexOf(acks[0]!));
          expect((await findById(m.name, record.key.id)).records[0].status).toBe(last);
        });
      }

      it('sendText over HTTP answers 201 with the upstream record', async (ctx) => {
        ctx.skip(!claims('send:text'), `${h.integration} does not claim send:text`);
        const m = await mainInstance();
        const res = await server.call('POST', `/message/sendText/${m.name}`, { number: h.recipient, text: 'contract: over HTTP' }, m.token);
        expect(res.status).toBe(201);
        expect(Object.keys(res.body).sort()).toEqual(['instanceId', 'key', 'message', 'messageTimestamp', 'messageType', 'pushName', 'source', 'status']);
        expect(res.body).toMatchObject({ key: { remoteJid: toJid(h.recipient), fromMe: true }, pushName: 'Você', status: 'PENDING', message: { conversation: 'contract: over HTTP' }, messageType: 'conversation', instanceId: m.id });
        expect(typeof res.body.key.id).toBe('string');
        expect(Number.isInteger(res.body.messageTimestamp)).toBe(true);
        expect(typeof res.body.source).toBe('string');
        const announced = await hook.waitForEvent('send.message', (r) => r.body.instance === m.name && r.body.data.key.id === res.body.key.id);
        expect(announced.body.data).toEqual(res.body);
        expect((await findById(m.name, res.body.key.id)).total).toBe(1);
      });
    });

    describe('receives', () => {
      it('a contact message is stored and announced: messages.upsert, chats.upsert first then chats.update, contacts.upsert', async () => {
        const m = await mainInstance();
        const from = contact(1);
        const jid = `${from}@s.whatsapp.net`;
        const first = newId();
        await h.contactSends(server, m.name, from, 'contract: hello gateway', first);
        const upsert = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === m.name && r.body.data.key.id === first);
        expect(upsert.body.data).toMatchObject({ key: { remoteJid: jid, fromMe: false, id: first }, message: { conversation: 'contract: hello gateway' }, messageType: 'conversation', instanceId: m.id });
        const chat = await hook.waitForEvent('chats.upsert', (r) => r.body.instance === m.name && itemsOf(r.body.data).some((c) => c.remoteJid === jid));
        expect(itemsOf(chat.body.data).find((c) => c.remoteJid === jid)).toMatchObject({ remoteJid: jid, instanceId: m.id, unreadMessages: 1 });
        const person = await hook.waitForEvent('contacts.upsert', (r) => r.body.instance === m.name && itemsOf(r.body.data).some((c) => c.remoteJid === jid));
        expect(itemsOf(person.body.data).find((c) => c.remoteJid === jid)).toMatchObject({ remoteJid: jid, instanceId: m.id });
        const stored = await findById(m.name, first);
        expect(stored.total).toBe(1);
        expect(stored.records[0]).toMatchObject({ key: { remoteJid: jid, fromMe: false, id: first }, message: { conversation: 'contract: hello gateway' } });

        const second = newId();
        await h.contactSends(server, m.name, from, 'contract: again', second);
        await hook.waitForEvent('messages.upsert', (r) => r.body.instance === m.name && r.body.data.key.id === second);
        await hook.waitForEvent('chats.update', (r) => r.body.instance === m.name && itemsOf(r.body.data).some((c) => c.remoteJid === jid));
        const chatUpserts = eventsOf(m.name, 'chats.upsert').filter((r) => itemsOf(r.body.data).some((c) => c.remoteJid === jid));
        expect(chatUpserts).toHaveLength(1);
        expect((await findById(m.name, second)).total).toBe(1);
        const chats = await server.call('POST', `/chat/findChats/${m.name}`, { where: { remoteJid: jid } });
        expect(chats.body).toHaveLength(1);
        expect(chats.body[0]).toMatchObject({ remoteJid: jid, unreadCount: 2 });
      });

      it('a duplicate message id is stored once and announced once', async () => {
        const m = await mainInstance();
        const from = contact(2);
        const id = newId();
        await h.contactSends(server, m.name, from, 'contract: twice', id);
        await h.contactSends(server, m.name, from, 'contract: twice', id);
        // A later message of the same chat: once it is announced, a second announcement of the duplicate would have been too.
        const after = newId();
        await h.contactSends(server, m.name, from, 'contract: after the duplicate', after);
        await hook.waitForEvent('messages.upsert', (r) => r.body.instance === m.name && r.body.data.key.id === after);
        expect(eventsOf(m.name, 'messages.upsert').filter((r) => r.body.data.key.id === id)).toHaveLength(1);
        expect((await findById(m.name, id)).total).toBe(1);
      });
    });

    describe('refuses what it does not claim', () => {
      for (const kind of ALL_SEND_KINDS) {
        it(`send:${kind} is refused (the driver's refusal or 501) and nothing is sent or stored`, async (ctx) => {
          ctx.skip(claims(sendCapability(kind)), `${h.integration} claims send:${kind}`);
          const m = await mainInstance();
          const live = liveOf(m.name);
          const content = sampleOf(kind, await sampleContext(placeholderKey(), live));
          const storedBefore = await total(m.name);
          const sendsBefore = eventsOf(m.name, 'send.message').length;
          const channelSend = vi.spyOn(live.channel, 'send');
          let err: unknown;
          try {
            err = await server.gateway.messages.send(live, { number: kind === 'status' ? STATUS_JID : h.recipient }, content).then(() => undefined, (e: unknown) => e);
            expect(channelSend).not.toHaveBeenCalled();
          } finally {
            channelSend.mockRestore();
          }
          expectRefusal(err, driver(), sendCapability(kind));
          await marker(m.name);
          expect(eventsOf(m.name, 'send.message').length).toBe(sendsBefore + 1);
          expect(await total(m.name)).toBe(storedBefore + 1);
        });
      }

      for (const family of OPERATION_FAMILIES) {
        it(`the ${family} operations are refused (the driver's refusal or 501)`, async (ctx) => {
          ctx.skip(claims(family), `${h.integration} claims ${family}`);
          const m = await mainInstance();
          const live = liveOf(m.name);
          const f = family as keyof ChannelOperations;
          let err: unknown;
          try {
            operations(live, f);
          } catch (e) {
            err = e;
          }
          expectRefusal(err, driver(), family);
          expect(optionalOperations(live, f)).toBeUndefined();
        });
      }
    });

    describe('claims match the implementation', () => {
      it('every claimed operation family is on the channel, and none that is not claimed', async () => {
        const m = await mainInstance();
        const channel = liveOf(m.name).channel as unknown as Record<string, unknown>;
        const wrong = OPERATION_FAMILIES.filter((f: OperationFamily) => claims(f) !== (channel[f] !== undefined && channel[f] !== null));
        expect(wrong, 'families claimed without their object, or present without the claim').toEqual([]);
        const methods: Record<keyof ChannelOperations, string> = {
          presence: 'sendPresence',
          receipts: 'markRead',
          numbers: 'checkNumbers',
          profile: 'pictureUrl',
          chats: 'archive',
          groups: 'create',
          privacy: 'fetch',
          labels: 'addChatLabel',
          calls: 'offer',
          business: 'catalog',
          templates: 'create',
          media: 'download',
        };
        for (const [family, method] of Object.entries(methods)) {
          if (claims(family as OperationFamily)) expect((channel[family] as Record<string, unknown>)[method], `${family}.${method}`).toBeTypeOf('function');
        }
      });

      it('the claimed operation families answer', async () => {
        const m = await mainInstance();
        const live = liveOf(m.name);
        const recipientJid = toJid(h.recipient);
        const presence = optionalOperations(live, 'presence');
        if (presence) {
          await presence.sendPresence('available');
          await presence.sendPresence('composing', recipientJid);
          await presence.sendPresence('paused', recipientJid);
        }
        const numbers = optionalOperations(live, 'numbers');
        if (numbers) {
          const [check] = await numbers.checkNumbers([h.recipient]);
          expect(check).toMatchObject({ jid: recipientJid, exists: true, number: h.recipient });
        }
        const profile = optionalOperations(live, 'profile');
        if (profile) {
          const url = await profile.pictureUrl(recipientJid);
          expect(url === null || typeof url === 'string').toBe(true);
        }
        const receipts = optionalOperations(live, 'receipts');
        if (receipts) {
          const id = newId();
          await h.contactSends(server, m.name, contact(3), 'contract: read me', id);
          await receipts.markRead([{ remoteJid: `${contact(3)}@s.whatsapp.net`, fromMe: false, id }]);
          const read = await server.call('POST', `/chat/markMessageAsRead/${m.name}`, { readMessages: [{ id, fromMe: false, remoteJid: `${contact(3)}@s.whatsapp.net` }] }, m.token);
          expect(read).toMatchObject({ status: 201, body: { message: 'Read messages', read: 'success' } });
        }
      });
    });

    describe('restart', () => {
      it('a server restart on the same data brings the instance back open without a new QR, with its messages', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'gw-contract-'));
        let first: TestServer | undefined;
        let second: TestServer | undefined;
        try {
          first = await startTestServer(h.env ?? {}, dir);
          const m = await loggedIn(first, 'restart');
          const sent = await first.gateway.messages.send(liveOf(m.name, first), { number: h.recipient }, { kind: 'text', text: 'contract: before the restart' });
          const inbound = newId();
          await h.contactSends(first, m.name, contact(4), 'contract: also before the restart', inbound);
          await waitFor(async () => (await findById(m.name, inbound, first)).total === 1, 5000, 'the inbound message stored');
          await first.gateway.instances.idle(liveOf(m.name, first));
          const env = first.env;
          await first.stop({ keepData: true });
          first = undefined;

          const restartedAt = Date.now();
          second = await startTestServer(env, dir);
          const s = second;
          await waitFor(async () => (await s.call('GET', `/instance/connectionState/${m.name}`)).body?.instance?.state === 'open', 5000, 'open after the restart');
          expect((await s.call('GET', `/instance/connect/${m.name}`, undefined, m.token)).body).toEqual({ instance: { instanceName: m.name, state: 'open' } });
          await hook.waitForEvent('connection.update', (r) => r.body.instance === m.name && r.body.data.state === 'open' && r.at >= restartedAt);
          expect(hook.events('qrcode.updated').filter((r) => r.body.instance === m.name && r.at >= restartedAt)).toEqual([]);

          expect((await findById(m.name, sent.key.id, s)).records[0]).toMatchObject({ key: sent.key, message: { conversation: 'contract: before the restart' } });
          expect((await findById(m.name, inbound, s)).total).toBe(1);
          const fetched = (await s.call('GET', `/instance/fetchInstances?instanceName=${m.name}`)).body[0];
          expect(fetched).toMatchObject({ connectionStatus: 'open', ownerJid: `${m.number}@s.whatsapp.net`, _count: { Message: 2 } });
          // And it works as before.
          const after = await s.call('POST', `/message/sendText/${m.name}`, { number: h.recipient, text: 'contract: after the restart' }, m.token);
          expect(after.status).toBe(201);
        } finally {
          await first?.stop();
          await second?.stop();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  });
}

/** The refusal of a capability: the driver's own when it defines one, else a 501 naming the capability. */
function expectRefusal(err: unknown, driver: ChannelDriver, capability: Capability): void {
  expect(err).toBeInstanceOf(ApiError);
  const e = err as ApiError;
  const own = driver.refusal?.(capability);
  if (own) {
    expect(e.status).toBe(own.status);
    expect(e.response).toEqual(own.response);
  } else {
    expect(e.status).toBe(501);
    expect(e.response).toEqual([expect.stringContaining(`"${capability}"`)]);
  }
}
