import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import { HttpProxy } from '../proxy/localProxies.js';
import { makeFixtures, serveFiles } from './fixtures.js';

describe('media downloads go through the instance proxy', () => {
  let server: TestServer;
  let files: Awaited<ReturnType<typeof serveFiles>>;
  const proxy = new HttpProxy();
  let requestsSeen = 0;

  beforeAll(async () => {
    const fx = await makeFixtures();
    files = await serveFiles({ '/photo.jpg': { data: fx.jpeg, type: 'image/jpeg' }, '/probe': { data: Buffer.from('ok'), type: 'text/plain' } }, true);
    files.server.on('request', () => requestsSeen++);
    await proxy.start();
    server = await startTestServer({ PROXY_PROBE_URL: `${files.url}/probe`, PROXY_PROBE_TIMEOUT_MS: '2000' });
    await connectedSandbox(server, 'viaproxy', '5511933330001');
    await connectedSandbox(server, 'direct', '5511933330002');
    const set = await server.call('POST', '/proxy/set/viaproxy', { enabled: true, host: '127.0.0.1', port: String(proxy.port), protocol: 'http' });
    expect(set.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await proxy.stop();
    await files?.close();
  }, 30_000);

  it('an instance with a proxy downloads through it; one without goes direct', async () => {
    const before = { carried: proxy.carried, seen: requestsSeen };
    const sent = await server.call('POST', '/message/sendMedia/viaproxy', { number: '5511933330002', mediatype: 'image', media: `${files.url}/photo.jpg` });
    expect(sent.status).toBe(201);
    expect(proxy.carried).toBeGreaterThan(before.carried);
    expect(requestsSeen).toBe(before.seen + 1);
    const carried = proxy.carried;
    const direct = await server.call('POST', '/message/sendMedia/direct', { number: '5511933330001', mediatype: 'image', media: `${files.url}/photo.jpg` });
    expect(direct.status).toBe(201);
    expect(proxy.carried).toBe(carried);
    expect(requestsSeen).toBe(before.seen + 2);
  });
});
