import { downloadMediaMessage } from 'baileys';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { caDispatcher } from '../../sim/waweb/media-crypto.js';
import { expectNoHiddenFailure, linkInstance, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const ME_JID = `${ME}@s.whatsapp.net`;

const jpeg = (r: number, g: number, b: number) =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();

describe('the real baileys library against the simulator: media over the HTTPS media host', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('sends an image the contact downloads and decrypts, and receives one it downloads itself', async () => {
    l = await linkInstance(ME, { media: true });
    const alice = l.messaging.contact('15550002222', 'Alice');

    // instance -> contact: the library uploads to https://<media_conn host> with its fetchAgent
    const out = await jpeg(200, 30, 30);
    const sent = await l.client.sock.sendMessage(alice.jid, { image: out, caption: 'red' });
    const got = await alice.waitFor((m) => m.key.id === sent!.key.id);
    expect(got.message.imageMessage?.caption).toBe('red');
    expect(got.message.imageMessage?.directPath).toMatch(/^\/v\//);
    expect((await l.messaging.media.download(got)).equals(out)).toBe(true);

    // contact -> instance: the library downloads by direct path through a dispatcher trusting the test CA
    const back = await jpeg(30, 30, 200);
    const id = await l.messaging.media.sendImage(alice, ME_JID, back, 'blue');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id)).toBe(true);
    const msg = l.upserts.find((m) => m.key.id === id)!;
    expect(msg.message?.imageMessage?.caption).toBe('blue');
    const dispatcher = caDispatcher(await l.messaging.media.start());
    const bytes = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher } as RequestInit });
    await dispatcher.close();
    expect(Buffer.from(bytes).equals(back)).toBe(true);
    expectNoHiddenFailure(l);
  });

  it('a document each way, with its file name', async () => {
    l = await linkInstance(ME, { media: true });
    const bob = l.messaging.contact('15550003333', 'Bob');
    const pdf = Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000));
    const sent = await l.client.sock.sendMessage(bob.jid, { document: pdf, mimetype: 'application/pdf', fileName: 'out.pdf' });
    const got = await bob.waitFor((m) => m.key.id === sent!.key.id);
    expect(got.message.documentMessage?.fileName).toBe('out.pdf');
    expect((await l.messaging.media.download(got)).equals(pdf)).toBe(true);
    const back = Buffer.from('%PDF-1.4\n' + 'y'.repeat(3000));
    const id = await l.messaging.media.send(bob, ME_JID, back, 'document', 'application/pdf', { fileName: 'in.pdf' });
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id)).toBe(true);
    const msg = l.upserts.find((m) => m.key.id === id)!;
    expect(msg.message?.documentMessage?.fileName).toBe('in.pdf');
    const dispatcher = caDispatcher(await l.messaging.media.start());
    const bytes = await downloadMediaMessage(msg, 'buffer', { options: { dispatcher } as RequestInit });
    await dispatcher.close();
    expect(Buffer.from(bytes).equals(back)).toBe(true);
    expectNoHiddenFailure(l);
  });
});
