import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { connectedSandbox, GLOBAL_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3.js';
import { makeFixtures, probe, serveFiles, type Fixtures } from './fixtures.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('base64');
const ALICE = '5511911110001';
const BOB = '5511911110002';

for (const backend of ['disk', 's3'] as const) {
  describe(`media round trips between two sandbox instances (${backend} store)`, () => {
    let server: TestServer;
    let s3: LocalS3 | undefined;
    let files: Awaited<ReturnType<typeof serveFiles>>;
    let fx: Fixtures;
    const hookA = new WebhookReceiver();
    const hookB = new WebhookReceiver();

    beforeAll(async () => {
      fx = await makeFixtures();
      files = await serveFiles({ '/photo.jpg': { data: fx.jpeg, type: 'image/jpeg' }, '/clip.mp4': { data: fx.mp4, type: 'video/mp4' }, '/tone.wav': { data: fx.wav, type: 'audio/wav' }, '/sticker.png': { data: fx.png, type: 'image/png' } });
      await hookA.start();
      await hookB.start();
      s3 = backend === 's3' ? await startLocalS3() : undefined;
      server = await startTestServer({ ...(s3?.env ?? {}) });
      await connectedSandbox(server, 'alice', ALICE, { webhook: { url: hookA.url, events: ['SEND_MESSAGE'] } });
      await connectedSandbox(server, 'bob', BOB, { webhook: { url: hookB.url, events: ['MESSAGES_UPSERT'] } });
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await s3?.stop();
      await files?.close();
      await hookA.stop();
      await hookB.stop();
    }, 90_000);

    async function multipart(path: string, fields: Record<string, string>, file: { data: Buffer; name: string; type: string }) {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { apikey: GLOBAL_KEY }, body: form });
      return { status: res.status, body: (await res.json()) as any };
    }

    /** The peer got it (its webhook, field by field), both sides read it back, and every URL serves the same bytes. */
    async function roundTrip(sent: { status: number; body: any }, type: string): Promise<Buffer> {
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      const { key, message, messageType } = sent.body;
      expect(messageType).toBe(type);
      expect(key).toMatchObject({ remoteJid: `${BOB}@s.whatsapp.net`, fromMe: true });
      const part = message[type];
      expect(part).toMatchObject({ mimetype: expect.any(String), fileSha256: expect.any(String), fileLength: expect.any(Number), url: expect.stringMatching(/^https:\/\/mmg\.sandbox\.invalid\/v\/t62\//), directPath: expect.stringMatching(/^\/v\/t62\//), mediaKey: expect.any(String) });
      expect(message.mediaUrl).toEqual(expect.any(String));
      if (backend === 's3') expect(message.mediaUrl).toContain(`127.0.0.1:${s3!.port}/media-test/`);

      const sentEvent = await hookA.waitForEvent('send.message', (r) => r.body.data.key.id === key.id);
      expect(sentEvent.body.data.message.mediaUrl).toEqual(expect.any(String));
      expect(sentEvent.body.data.message[type]).toEqual(part);

      const upsert = await hookB.waitForEvent('messages.upsert', (r) => r.body.data.key.id === key.id);
      const data = upsert.body.data;
      expect(data).toMatchObject({ key: { remoteJid: `${ALICE}@s.whatsapp.net`, fromMe: false, id: key.id }, messageType: type, status: 'DELIVERY_ACK' });
      // What the peer received is what was sent: the platform's url, directPath, key, hash, size, preview.
      expect(data.message[type]).toEqual(part);
      expect(data.message.base64).toBeUndefined();
      expect(data.message.mediaUrl).toEqual(expect.any(String));
      expect(data.message.mediaUrl).not.toBe(message.mediaUrl);

      const fromUrl = Buffer.from(await (await fetch(data.message.mediaUrl)).arrayBuffer());
      expect(sha256(fromUrl)).toBe(part.fileSha256);
      expect(fromUrl.length).toBe(part.fileLength);
      const senderCopy = Buffer.from(await (await fetch(message.mediaUrl)).arrayBuffer());
      expect(senderCopy.equals(fromUrl)).toBe(true);

      for (const instance of ['bob', 'alice']) {
        const b64 = await server.call('POST', `/chat/getBase64FromMediaMessage/${instance}`, { message: { key: { id: key.id } } });
        expect(b64.status, instance).toBe(201);
        expect(b64.body).toMatchObject({ mediaType: type, mimetype: part.mimetype, size: { fileLength: part.fileLength }, buffer: null });
        expect(Buffer.from(b64.body.base64, 'base64').equals(fromUrl), instance).toBe(true);
      }
      const media = await server.call('POST', '/s3/getMedia/bob', { messageId: key.id });
      expect(media.status).toBe(201);
      expect(media.body).toHaveLength(1);
      expect(media.body[0]).toMatchObject({ messageId: key.id, type, mimetype: part.mimetype, size: part.fileLength, instanceId: data.instanceId, Message: { key: { id: key.id } } });
      const url = await server.call('POST', '/s3/getMediaUrl/bob', { id: media.body[0].id, expiry: 60 });
      expect(url.status).toBe(200);
      expect(Buffer.from(await (await fetch(url.body.mediaUrl)).arrayBuffer()).equals(fromUrl)).toBe(true);
      return fromUrl;
    }

    it('image by URL: mimetype from the content, dimensions and a JPEG thumbnail', async () => {
      const sent = await server.call('POST', '/message/sendMedia/alice', { number: BOB, mediatype: 'image', media: `${files.url}/photo.jpg`, caption: 'a photo' });
      const bytes = await roundTrip(sent, 'imageMessage');
      expect(bytes.equals(fx.jpeg)).toBe(true);
      const part = sent.body.message.imageMessage;
      expect(part).toMatchObject({ mimetype: 'image/jpeg', caption: 'a photo', width: 64, height: 48, fileLength: fx.jpeg.length, fileSha256: sha256(fx.jpeg) });
      expect(Buffer.from(part.jpegThumbnail, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');
    });

    it('video by multipart upload: duration, dimensions and a thumbnail', async () => {
      const sent = await multipart('/message/sendMedia/alice', { number: BOB, mediatype: 'video', caption: 'clip', delay: '0' }, { data: fx.mp4, name: 'clip.mp4', type: 'video/mp4' });
      await roundTrip(sent, 'videoMessage');
      expect(sent.body.message.videoMessage).toMatchObject({ mimetype: 'video/mp4', width: 64, height: 48, seconds: 2, caption: 'clip', jpegThumbnail: expect.any(String) });
    });

    it('voice note by URL: converted to Opus in OGG', async () => {
      const sent = await server.call('POST', '/message/sendWhatsAppAudio/alice', { number: BOB, audio: `${files.url}/tone.wav` });
      const bytes = await roundTrip(sent, 'audioMessage');
      expect(sent.body.message.audioMessage).toMatchObject({ mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 2 });
      const p = probe(bytes);
      expect(p.format).toBe('ogg');
      expect(p.audio).toBe('opus');
      // convertToMp4 answers with AAC in MP4.
      const mp4 = await server.call('POST', '/chat/getBase64FromMediaMessage/bob', { message: { key: { id: sent.body.key.id } }, convertToMp4: true });
      expect(mp4.body).toMatchObject({ mimetype: 'audio/mp4', fileName: `${sent.body.key.id}.mp4` });
      expect(probe(Buffer.from(mp4.body.base64, 'base64'))).toMatchObject({ audio: 'aac' });
    });

    it('voice note with encoding:false is sent as it is', async () => {
      const sent = await server.call('POST', '/message/sendWhatsAppAudio/alice', { number: BOB, audio: fx.wav.toString('base64'), encoding: false });
      const bytes = await roundTrip(sent, 'audioMessage');
      expect(bytes.equals(fx.wav)).toBe(true);
      expect(sent.body.message.audioMessage.mimetype).toMatch(/^audio\/(wav|x-wav|vnd\.wave)$/);
    });

    it('document by base64 with its file name (text: type from the given mimetype)', async () => {
      const sent = await server.call('POST', '/message/sendMedia/alice', { number: BOB, mediatype: 'document', media: fx.text.toString('base64'), fileName: 'table.csv', mimetype: 'text/csv', caption: 'numbers' });
      const bytes = await roundTrip(sent, 'documentMessage');
      expect(bytes.equals(fx.text)).toBe(true);
      expect(sent.body.message.documentMessage).toMatchObject({ mimetype: 'text/csv', fileName: 'table.csv', caption: 'numbers' });
      const b64 = await server.call('POST', '/chat/getBase64FromMediaMessage/bob', { message: { key: { id: sent.body.key.id } } });
      expect(b64.body).toMatchObject({ fileName: 'table.csv', caption: 'numbers' });
    });

    it('sticker by URL: converted to WebP; an animated GIF stays animated', async () => {
      const sent = await server.call('POST', '/message/sendSticker/alice', { number: BOB, sticker: `${files.url}/sticker.png` });
      const bytes = await roundTrip(sent, 'stickerMessage');
      expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
      expect(bytes.subarray(8, 12).toString()).toBe('WEBP');
      expect(sent.body.message.stickerMessage).toMatchObject({ mimetype: 'image/webp', width: 512, height: 512 });
      const animated = await roundTrip(await server.call('POST', '/message/sendSticker/alice', { number: BOB, sticker: `data:image/gif;base64,${fx.gif.toString('base64')}` }), 'stickerMessage');
      expect(animated.includes(Buffer.from('ANIM'))).toBe(true);
    });

    it('round video note (PTV) by multipart', async () => {
      const sent = await multipart('/message/sendPtv/alice', { number: BOB }, { data: fx.mp4, name: 'round.mp4', type: 'video/mp4' });
      await roundTrip(sent, 'ptvMessage');
      expect(sent.body.message.ptvMessage).toMatchObject({ mimetype: 'video/mp4', seconds: 2 });
    });
  }, 30_000);
}
