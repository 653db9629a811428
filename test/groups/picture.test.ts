import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { groupUpdate, jid, member, type Member } from './helpers.js';

describe('group pictures: by base64 or URL, seen by every member, downloadable', () => {
  let server: TestServer;
  let media: Server;
  let mediaUrl = '';
  const hooks = [new WebhookReceiver(), new WebhookReceiver()];
  let alice: Member;
  let bob: Member;
  let group = '';
  let red: Buffer;
  let blue: Buffer;
  let firstUrl = '';

  beforeAll(async () => {
    red = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } }).png().toBuffer();
    blue = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#0000ff' } }).jpeg().toBuffer();
    media = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blue));
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', r));
    mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/avatar`;
    for (const h of hooks) await h.start();
    server = await startTestServer();
    alice = await member(server, hooks[0]!, 'alice', '5511955550001', 'Alice');
    bob = await member(server, hooks[1]!, 'bob', '5511955550002', 'Bob');
    group = (await server.call('POST', '/group/create/alice', { subject: 'Pics', participants: [bob.number] }, alice.token)).body.id;
  });
  afterAll(async () => {
    await server?.stop();
    for (const h of hooks) await h.stop();
    await new Promise((r) => media.close(r));
  });

  /** The picture as a member downloads it from its URL (public, like WhatsApp's CDN): a 640x640 JPEG, and its main colour. */
  const download = async (m: Member) => {
    const url = (await server.call('GET', `/group/findGroupInfos/${m.name}?groupJid=${group}`, undefined, m.token)).body.pictureUrl as string;
    const res = await fetch(url);
    const bytes = Buffer.from(await res.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    const { dominant } = await sharp(bytes).stats();
    return { url, status: res.status, type: res.headers.get('content-type'), format: meta.format, size: [meta.width, meta.height], colour: dominant.r > 200 && dominant.b < 60 ? 'red' : dominant.b > 200 && dominant.r < 60 ? 'blue' : 'other' };
  };

  it('sets the picture from base64: members get groups.update with its URL, findGroupInfos shows it, the bytes come back', async () => {
    expect((await server.call('GET', `/group/findGroupInfos/alice?groupJid=${group}`, undefined, alice.token)).body.pictureUrl).toBeNull();
    const res = await server.call('POST', '/group/updateGroupPicture/alice', { groupJid: group, image: red.toString('base64') }, alice.token);
    expect(res).toMatchObject({ status: 201, body: { update: 'success' } });
    const picture = await download(bob);
    firstUrl = picture.url;
    expect(picture).toEqual({ url: expect.stringMatching(new RegExp(`^${server.url}/sandbox/groupPicture/\\d+/\\d+\\.jpg$`)), status: 200, type: 'image/jpeg', format: 'jpeg', size: [640, 640], colour: 'red' });
    for (const m of [alice, bob]) expect(await groupUpdate(m, group, 'pictureUrl', picture.url)).toEqual([{ id: group, pictureUrl: picture.url, author: jid(alice.number) }]);
  });

  it('sets it from a URL (type read from the bytes); a locked group refuses non-admins; non-images are refused', async () => {
    const res = await server.call('POST', '/group/updateGroupPicture/bob', { groupJid: group, image: mediaUrl }, bob.token);
    expect(res).toMatchObject({ status: 201, body: { update: 'success' } });
    const replaced = await download(alice);
    expect(replaced).toMatchObject({ status: 200, type: 'image/jpeg', size: [640, 640], colour: 'blue' });
    expect((await fetch(firstUrl)).status).toBe(404);

    await server.call('POST', '/group/updateSetting/alice', { groupJid: group, action: 'locked' }, alice.token);
    expect(await server.call('POST', '/group/updateGroupPicture/bob', { groupJid: group, image: red.toString('base64') }, bob.token)).toMatchObject({
      status: 500, body: { response: { message: ['Error update group picture', 'Error: not-authorized'] } },
    });
    const text = await server.call('POST', '/group/updateGroupPicture/alice', { groupJid: group, image: Buffer.from('just some words, not a picture').toString('base64') }, alice.token);
    expect(text.status).toBe(400);
    expect(await download(alice)).toEqual(replaced);
  });
}, 60_000);
