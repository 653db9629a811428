import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, GLOBAL_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { makeFixtures, serveFiles, type Fixtures } from './fixtures.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const ALICE = '5511922220001';
const BOB = '5511922220002';
const bad = (message: unknown, status = 400) => ({ status, error: expect.any(String), response: { message } });

describe('media routes: validation, limits, auth and the address guard', () => {
  let server: TestServer;
  let fx: Fixtures;
  let files: Awaited<ReturnType<typeof serveFiles>>;
  let slow: Server;
  let slowUrl: string;
  let bobToken: string;
  const hookB = new WebhookReceiver();

  beforeAll(async () => {
    fx = await makeFixtures();
    files = await serveFiles({ '/photo.jpg': { data: fx.jpeg, type: 'image/jpeg' }, '/big.bin': { data: Buffer.alloc(300_000, 7), type: 'application/octet-stream' } });
    slow = createServer((_req, res) => setTimeout(() => res.writeHead(200).end('late'), 2000));
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/slow.jpg`;
    await hookB.start();
    server = await startTestServer({ MEDIA_MAX_BYTES: '200000', MEDIA_DOWNLOAD_TIMEOUT_MS: '400' });
    await connectedSandbox(server, 'alice', ALICE, { webhook: { url: hookB.url, events: ['SEND_MESSAGE'], base64: true } });
    bobToken = await connectedSandbox(server, 'bob', BOB, { webhook: { url: hookB.url, events: ['MESSAGES_UPSERT'], base64: true } });
    await connectedSandbox(server, 'carol', '5511922220009');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await files?.close();
    slow?.closeAllConnections();
    await new Promise<void>((r) => slow.close(() => r()));
    await hookB.stop();
  }, 30_000);

  const send = (body: unknown, path = 'sendMedia', instance = 'alice', key?: string | null) => server.call('POST', `/message/${path}/${instance}`, body, key);

  it('answers malformed bodies with upstream 400s', async () => {
    expect((await send({ number: BOB, media: `${files.url}/photo.jpg` })).body).toEqual(bad(['instance requires property "mediatype"']));
    expect((await send({ number: BOB, mediatype: 'gif', media: `${files.url}/photo.jpg` })).body).toEqual(bad(['mediatype is not one of enum values: image,document,video,audio']));
    expect((await send({ number: BOB, mediatype: 'image' })).body).toEqual(bad(['Owned media must be a url or base64']));
    expect((await send({ number: BOB, mediatype: 'image', media: 'not media!' })).body).toEqual(bad(['Owned media must be a url or base64']));
    expect((await send({ number: BOB, mediatype: 'document', media: fx.text.toString('base64') })).body).toEqual(bad(['For base64 the file name must be informed.']));
    expect((await send({ mediatype: 'image', media: `${files.url}/photo.jpg` })).body).toEqual(bad(['instance requires property "number"']));
    expect((await send({ number: BOB }, 'sendWhatsAppAudio')).body).toEqual(bad(['Owned media must be a url or base64']));
    expect((await send({ number: BOB }, 'sendSticker')).body).toEqual(bad(['Owned media must be a url or base64']));
    expect((await send({ content: 'hi' }, 'sendStatus')).body).toEqual(bad(['instance requires property "type"']));
    expect((await send({ type: 'text', content: 'hi' }, 'sendStatus')).body).toEqual(bad(['StatusJidList is required']));
  });

  it('refuses a foreign instance token (401) and an unknown instance (404)', async () => {
    for (const path of ['sendMedia', 'sendPtv', 'sendWhatsAppAudio', 'sendSticker', 'sendStatus']) {
      expect((await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg` }, path, 'alice', bobToken)).status, path).toBe(401);
      expect((await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg` }, path, 'nobody')).body, path).toEqual(bad(['The "nobody" instance does not exist'], 404));
    }
    expect((await server.call('POST', '/chat/getBase64FromMediaMessage/alice', { message: { key: { id: 'x' } } }, bobToken)).status).toBe(401);
    expect((await server.call('POST', '/s3/getMedia/alice', {}, bobToken)).status).toBe(401);
    expect((await server.call('POST', '/s3/getMediaUrl/nobody', { id: '1' })).status).toBe(404);
  });

  it('refuses oversize media with 413 (URL, base64, multipart) and a slow source with 400', async () => {
    expect((await send({ number: BOB, mediatype: 'document', media: `${files.url}/big.bin`, fileName: 'big.bin' })).body).toEqual(bad(['The media is larger than the limit of 200000 bytes'], 413));
    expect((await send({ number: BOB, mediatype: 'document', media: Buffer.alloc(300_000).toString('base64'), fileName: 'big.bin' })).body).toEqual(bad(['The media is larger than the limit of 200000 bytes'], 413));
    const form = new FormData();
    form.append('number', BOB);
    form.append('mediatype', 'document');
    form.append('file', new Blob([Buffer.alloc(300_000)]), 'big.bin');
    const res = await fetch(`${server.url}/message/sendMedia/alice`, { method: 'POST', headers: { apikey: GLOBAL_KEY }, body: form });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, response: { message: [expect.any(String)] } });
    const started = Date.now();
    expect((await send({ number: BOB, mediatype: 'image', media: slowUrl })).body).toEqual(bad(['The media URL did not answer within 400 ms']));
    expect(Date.now() - started).toBeLessThan(1800);
  });

  it('with base64 on the webhook: the response and the events carry base64, the stored rows do not', async () => {
    const sent = await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg` });
    expect(sent.status).toBe(201);
    expect(Buffer.from(sent.body.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
    const own = await hookB.waitForEvent('send.message', (r) => r.body.data.key.id === sent.body.key.id);
    expect(Buffer.from(own.body.data.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
    const got = await hookB.waitForEvent('messages.upsert', (r) => r.body.data.key.id === sent.body.key.id);
    expect(Buffer.from(got.body.data.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
    for (const instance of ['alice', 'bob']) {
      const found = await server.call('POST', `/chat/findMessages/${instance}`, { where: { key: { id: sent.body.key.id } } });
      const record = found.body.messages.records[0];
      expect(record.message.imageMessage.fileSha256, instance).toBe(sent.body.message.imageMessage.fileSha256);
      expect(record.message.mediaUrl, instance).toEqual(expect.any(String));
      expect(record.message.base64, instance).toBeUndefined();
    }
    // The outbox rows hold a reference to the store, not the bytes: the delivery inlined them.
    const bodies = (await server.gateway.db.kysely.selectFrom('eventOutbox').select('body').execute()).map((r) => r.body as string).filter((b) => b.includes(sent.body.key.id));
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const body of bodies) expect(body.includes(fx.jpeg.toString('base64').slice(0, 64))).toBe(false);
    expect(bodies.filter((b) => b.includes('"\\u0000media-ref:')).length).toBeGreaterThanOrEqual(2);
  });

  it('media a channel hands over inline is moved to the store: the row keeps a reference, the event the bytes', async () => {
    const res = await server.call('POST', '/sandbox/inbound/bob', { from: '5511922229999', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'inline' }, base64: fx.jpeg.toString('base64') } });
    expect(res.status).toBe(201);
    const got = await hookB.waitForEvent('messages.upsert', (r) => r.body.data.message?.imageMessage?.caption === 'inline');
    expect(Buffer.from(got.body.data.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
    expect(got.body.data.message.mediaUrl).toEqual(expect.any(String));
    const record = (await server.call('POST', '/chat/findMessages/bob', { where: { key: { id: got.body.data.key.id } } })).body.messages.records[0];
    expect(record.message.base64).toBeUndefined();
    expect(Buffer.from(await (await fetch(record.message.mediaUrl)).arrayBuffer()).equals(fx.jpeg)).toBe(true);
    const b64 = await server.call('POST', '/chat/getBase64FromMediaMessage/bob', { message: { key: { id: got.body.data.key.id } } });
    expect(Buffer.from(b64.body.base64, 'base64').equals(fx.jpeg)).toBe(true);
  });

  it('posts statuses: text with colour and font, and an image for a list of contacts', async () => {
    const text = await send({ type: 'text', content: 'Hello status', backgroundColor: '#008000', font: 2, statusJidList: [`${BOB}@s.whatsapp.net`] }, 'sendStatus');
    expect(text.status).toBe(201);
    expect(text.body).toMatchObject({ key: { remoteJid: 'status@broadcast', fromMe: true }, message: { conversation: 'Hello status' } });
    const image = await send({ type: 'image', content: `${files.url}/photo.jpg`, caption: 'status pic', statusJidList: [BOB] }, 'sendStatus');
    expect(image.status).toBe(201);
    expect(image.body).toMatchObject({ key: { remoteJid: 'status@broadcast' }, messageType: 'imageMessage', message: { imageMessage: { mimetype: 'image/jpeg', caption: 'status pic', width: 64, height: 48 }, mediaUrl: expect.any(String) } });
    // Bob, a contact of Alice's, sees both posts as messages of status@broadcast from her, the picture downloadable.
    const seen = await hookB.waitForEvent('messages.upsert', (r) => r.body.instance === 'bob' && r.body.data.key.id === image.body.key.id);
    expect(seen.body.data).toMatchObject({ key: { remoteJid: 'status@broadcast', fromMe: false, participant: `${ALICE}@s.whatsapp.net` }, messageType: 'imageMessage', message: { imageMessage: { caption: 'status pic', fileSha256: image.body.message.imageMessage.fileSha256 }, mediaUrl: expect.any(String) } });
    expect(Buffer.from(seen.body.data.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
    await hookB.waitForEvent('messages.upsert', (r) => r.body.instance === 'bob' && r.body.data.key.id === text.body.key.id);
  });

  it('takes the common send fields: quoted and mentioned end up in the media part\'s contextInfo', async () => {
    const first = await server.call('POST', '/message/sendText/alice', { number: BOB, text: 'quote me' });
    const sent = await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg`, caption: 'hi @bob', mentioned: [BOB], quoted: { key: { id: first.body.key.id } }, delay: 10 });
    expect(sent.status).toBe(201);
    expect(sent.body.message.imageMessage.contextInfo).toMatchObject({ stanzaId: first.body.key.id, mentionedJid: [`${BOB}@s.whatsapp.net`], quotedMessage: { conversation: 'quote me' } });
    expect(sent.body.contextInfo).toMatchObject({ stanzaId: first.body.key.id });
  });

  it('documents the media routes in OpenAPI, with multipart where a file is taken', async () => {
    const doc = (await server.call('GET', '/docs/json')).body;
    for (const path of ['sendMedia', 'sendPtv', 'sendWhatsAppAudio', 'sendSticker', 'sendStatus']) {
      const op = doc.paths[`/message/${path}/{instanceName}`].post;
      expect(op.tags, path).toEqual(['message']);
      expect(Object.keys(op.requestBody.content), path).toEqual(expect.arrayContaining(['application/json', 'multipart/form-data']));
    }
    expect(doc.paths['/chat/getBase64FromMediaMessage/{instanceName}'].post.tags).toEqual(['chat']);
    expect(doc.paths['/s3/getMedia/{instanceName}'].post.tags).toEqual(['s3']);
    expect(doc.paths['/s3/getMediaUrl/{instanceName}'].post.tags).toEqual(['s3']);
  });

  it('getBase64FromMediaMessage takes a full WebMessageInfo it never stored, and downloads it from the network', async () => {
    const sent = await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg` });
    const got = await hookB.waitForEvent('messages.upsert', (r) => r.body.data.key.id === sent.body.key.id);
    const { base64: _inline, mediaUrl: _url, ...message } = got.body.data.message;
    const res = await server.call('POST', '/chat/getBase64FromMediaMessage/carol', { message: { key: got.body.data.key, message } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ mediaType: 'imageMessage', mimetype: 'image/jpeg', fileName: `${sent.body.key.id}.jpg`, size: { fileLength: fx.jpeg.length, width: 64, height: 48 } });
    expect(Buffer.from(res.body.base64, 'base64').equals(fx.jpeg)).toBe(true);
    // A hash that does not match what the network holds is not served.
    const forged = { ...message, imageMessage: { ...message.imageMessage, fileSha256: Buffer.alloc(32).toString('base64') } };
    expect((await server.call('POST', '/chat/getBase64FromMediaMessage/carol', { message: { key: { id: 'OTHER' }, message: forged } })).body).toEqual(bad(['The media of this message could not be downloaded']));
  });

  it('getBase64FromMediaMessage and the /s3 routes refuse what is not there', async () => {
    expect((await server.call('POST', '/chat/getBase64FromMediaMessage/alice', { message: { key: { id: 'NOPE' } } })).body).toEqual(bad(['Message not found']));
    expect((await server.call('POST', '/chat/getBase64FromMediaMessage/alice', {})).body).toEqual(bad(['instance requires property "message"']));
    const text = await server.call('POST', '/message/sendText/alice', { number: BOB, text: 'plain' });
    expect((await server.call('POST', '/chat/getBase64FromMediaMessage/alice', { message: { key: { id: text.body.key.id } } })).body).toEqual(bad(['The message is not of the media type']));
    expect((await server.call('POST', '/s3/getMediaUrl/alice', { id: '123' })).body).toEqual(bad(['Media not found']));
    expect((await server.call('POST', '/s3/getMediaUrl/alice', {})).body).toEqual(bad(['instance requires property "id"']));
    expect((await server.call('POST', '/s3/getMedia/alice', { type: 'nothingMessage' })).body).toEqual([]);
  });

  it('serves disk media only by a valid, unexpired signature', async () => {
    const sent = await send({ number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg` });
    const url = new URL(sent.body.message.mediaUrl);
    expect(url.pathname).toMatch(/^\/media\/file\//);
    expect((await fetch(url)).status).toBe(200);
    const tampered = new URL(url);
    tampered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 1));
    expect((await fetch(tampered)).status).toBe(403);
    const unsigned = new URL(url.pathname, url);
    expect((await fetch(unsigned)).status).toBe(403);
  });

  it('refuses webhook URLs that point at link-local or metadata addresses (set and create)', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://metadata.google.internal/', 'http://[fd00:ec2::254]/']) {
      const set = await server.call('POST', '/webhook/set/alice', { webhook: { enabled: true, url } });
      expect(set.body, url).toEqual(bad([expect.stringMatching(/^The webhook URL is not allowed: .+ \((metadata|link-local) address\)$/)]));
    }
    const created = await server.call('POST', '/instance/create', { instanceName: 'meta', integration: 'SANDBOX', webhook: { url: 'http://169.254.169.254/', events: [] } });
    expect(created.status).toBe(400);
    expect((await server.call('GET', '/instance/fetchInstances?instanceName=meta')).body).not.toEqual(expect.arrayContaining([expect.objectContaining({ name: 'meta' })]));
    // The instance's own webhook is untouched.
    expect((await server.call('GET', '/webhook/find/alice')).body.url).toBe(hookB.url);
  });
});

describe('MEDIA_URL_ALLOW_PRIVATE=false', () => {
  let server: TestServer;
  let files: Awaited<ReturnType<typeof serveFiles>>;

  beforeAll(async () => {
    const fx = await makeFixtures();
    files = await serveFiles({ '/photo.jpg': { data: fx.jpeg, type: 'image/jpeg' } });
    server = await startTestServer({ MEDIA_URL_ALLOW_PRIVATE: 'false' });
    await connectedSandbox(server, 'strict', '5511922220003');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await files?.close();
  }, 30_000);

  it('refuses media from loopback and private ranges, by address and by name', async () => {
    const port = new URL(files.url).port;
    for (const media of [`${files.url}/photo.jpg`, `http://localhost:${port}/photo.jpg`, `http://[::ffff:127.0.0.1]:${port}/photo.jpg`, 'http://10.0.0.1/a.jpg']) {
      const res = await server.call('POST', '/message/sendMedia/strict', { number: BOB, mediatype: 'image', media });
      expect(res.body, media).toEqual(bad([expect.stringMatching(/^The media URL is not allowed: .+ \(private address\)$/)]));
    }
  });

  it('refuses private webhook URLs too', async () => {
    const res = await server.call('POST', '/webhook/set/strict', { webhook: { enabled: true, url: 'http://127.0.0.1:9/hook' } });
    expect(res.body).toEqual(bad(['The webhook URL is not allowed: 127.0.0.1 (private address)']));
  });
});

describe('base64 webhooks with in-memory delivery (WEBHOOK_DURABLE=false)', () => {
  let server: TestServer;
  let files: Awaited<ReturnType<typeof serveFiles>>;
  let fx: Fixtures;
  const hook = new WebhookReceiver();

  beforeAll(async () => {
    fx = await makeFixtures();
    files = await serveFiles({ '/photo.jpg': { data: fx.jpeg, type: 'image/jpeg' } });
    await hook.start();
    server = await startTestServer({ WEBHOOK_DURABLE: 'false' });
    await connectedSandbox(server, 'mem-a', '5511922220011');
    await connectedSandbox(server, 'mem-b', '5511922220012', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'], base64: true } });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await files?.close();
    await hook.stop();
  }, 30_000);

  it('inlines the media when the event is sent', async () => {
    const sent = await server.call('POST', '/message/sendMedia/mem-a', { number: '5511922220012', mediatype: 'image', media: `${files.url}/photo.jpg` });
    expect(sent.status).toBe(201);
    const got = await hook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === sent.body.key.id);
    expect(Buffer.from(got.body.data.message.base64, 'base64').equals(fx.jpeg)).toBe(true);
  });
});
