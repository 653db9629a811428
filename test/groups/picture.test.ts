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

  const download = async (m: Member) => {
    const res = await fetch(`${server.url}/sandbox/groupPicture/${m.name}?groupJid=${group}`, { headers: { apikey: server.key } });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };

  it('sets the picture from base64: members get groups.update with its URL, findGroupInfos shows it, the bytes come back', async () => {
    expect((await server.call('GET', `/group/findGroupInfos/alice?groupJid=${group}`, undefined, alice.token)).body.pictureUrl).toBeNull();
    const res = await server.call('POST', '/group/updateGroupPicture/alice', { groupJid: group, image: red.toString('base64') }, alice.token);
    expect(res).toMatchObject({ status: 201, body: { update: 'success' } });
    const info = await server.call('GET', `/group/findGroupInfos/bob?groupJid=${group}`, undefined, bob.token);
    expect(info.body.pictureUrl).toMatch(/^https:\/\/pps\.whatsapp\.net\/.+\.jpg$/);
    for (const m of [alice, bob]) expect(await groupUpdate(m, group, 'pictureUrl', info.body.pictureUrl)).toEqual([{ id: group, pictureUrl: info.body.pictureUrl, author: jid(alice.number) }]);
    expect(await download(bob)).toEqual({ status: 200, type: 'image/png', bytes: red });
  });

  it('sets it from a URL (type read from the bytes); a locked group refuses non-admins; non-images are refused', async () => {
    const res = await server.call('POST', '/group/updateGroupPicture/bob', { groupJid: group, image: mediaUrl }, bob.token);
    expect(res).toMatchObject({ status: 201, body: { update: 'success' } });
    expect(await download(alice)).toEqual({ status: 200, type: 'image/jpeg', bytes: blue });

    await server.call('POST', '/group/updateSetting/alice', { groupJid: group, action: 'locked' }, alice.token);
    expect(await server.call('POST', '/group/updateGroupPicture/bob', { groupJid: group, image: red.toString('base64') }, bob.token)).toMatchObject({
      status: 500, body: { response: { message: ['Error update group picture', 'Error: not-authorized'] } },
    });
    const text = await server.call('POST', '/group/updateGroupPicture/alice', { groupJid: group, image: Buffer.from('just some words, not a picture').toString('base64') }, alice.token);
    expect(text.status).toBe(400);
    expect(await download(alice)).toMatchObject({ status: 200, bytes: blue });
  });
}, 60_000);
