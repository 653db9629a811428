import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import { deadPort, HttpProxy, ProbeTarget, Socks4Proxy, Socks5Proxy } from './localProxies.js';
import { MASKED_PASSWORD, proxyDispatcher, proxyServiceOf } from '../../src/domain/proxies.js';
import { addressRefusalIn } from '../../src/security/addressGuard.js';

describe('/proxy/set and /proxy/find against real local proxies', () => {
  let server: TestServer;
  const target = new ProbeTarget();
  const http = new HttpProxy();
  const httpAuth = new HttpProxy({ username: 'alice', password: 'pr0xy-pässword' });
  const socksOpen = new Socks5Proxy();
  const socksAuth = new Socks5Proxy({ username: 'bob', password: 'socks-secret' });
  const socks4 = new Socks4Proxy('carol');
  let token = '';
  let otherToken = '';

  beforeAll(async () => {
    await Promise.all([target.start(), http.start(), httpAuth.start(), socksOpen.start(), socksAuth.start(), socks4.start()]);
    server = await startTestServer({ PROXY_PROBE_URL: `${target.url}/probe`, PROXY_PROBE_TIMEOUT_MS: '1500' });
    token = await connectedSandbox(server, 'px', '5511944441111');
    otherToken = await connectedSandbox(server, 'px-other', '5511944442222');
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([target.stop(), http.stop(), httpAuth.stop(), socksOpen.stop(), socksAuth.stop(), socks4.stop()]);
  });

  const instanceId = () => server.gateway.registry.get('px')!.id;
  /** A request the instance's outbound HTTP would make: through its proxy's dispatcher, if it has one. */
  const outbound = async (path: string) => {
    const dispatcher = await proxyServiceOf(server.gateway).dispatcherFor(instanceId());
    const res = await request(`${target.url}${path}`, dispatcher ? { dispatcher } : {});
    return { status: res.statusCode, body: await res.body.text(), proxied: !!dispatcher };
  };

  it('find answers null before any proxy is set', async () => {
    const res = await server.call('GET', '/proxy/find/px', undefined, token);
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });

  it('an HTTP proxy is tested through it, stored, and then carries the instance traffic', async () => {
    const hitsBefore = target.hits.length;
    const res = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(http.port), protocol: 'http' }, token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ proxy: { instanceName: 'px', proxy: { enabled: true, host: '127.0.0.1', port: String(http.port), protocol: 'http', username: '', password: '' } } });
    // the probe really went through the proxy to the target
    expect(http.carried).toBe(1);
    expect(target.hits.slice(hitsBefore)).toEqual(['/probe']);

    const out = await outbound('/media/one');
    expect(out).toEqual({ status: 200, body: 'seen /media/one', proxied: true });
    expect(http.carried).toBe(2);

    const found = await server.call('GET', '/proxy/find/px', undefined, token);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ enabled: true, host: '127.0.0.1', port: String(http.port), protocol: 'http', username: '', password: '', instanceId: instanceId() });
    expect(Object.keys(found.body).sort()).toEqual(['createdAt', 'enabled', 'host', 'id', 'instanceId', 'password', 'port', 'protocol', 'updatedAt', 'username']);
  });

  it('an HTTP proxy with credentials: a wrong password is an invalid proxy; the right one works and is never shown', async () => {
    const bad = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(httpAuth.port), protocol: 'http', username: 'alice', password: 'wrong' }, token);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Invalid proxy'] } });
    expect(httpAuth.refused).toBe(1);
    // the previous proxy stays in force
    expect((await server.call('GET', '/proxy/find/px', undefined, token)).body.port).toBe(String(http.port));

    const good = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(httpAuth.port), protocol: 'http', username: 'alice', password: 'pr0xy-pässword' }, token);
    expect(good.status).toBe(201);
    expect(good.body.proxy.proxy).toEqual({ enabled: true, host: '127.0.0.1', port: String(httpAuth.port), protocol: 'http', username: 'alice', password: MASKED_PASSWORD });
    expect(JSON.stringify(good.body)).not.toContain('pr0xy');
    const carried = httpAuth.carried;
    expect(carried).toBe(1);
    expect((await outbound('/media/two')).body).toBe('seen /media/two');
    expect(httpAuth.carried).toBe(carried + 1);

    const found = await server.call('GET', '/proxy/find/px', undefined, token);
    expect(found.body).toMatchObject({ username: 'alice', password: MASKED_PASSWORD });
    const row = await server.gateway.db.kysely.selectFrom('proxies').selectAll().where('instanceId', '=', instanceId()).executeTakeFirstOrThrow();
    expect(row.password).toMatch(/^v1\./);
    expect(row.password).not.toContain('pr0xy');
  });

  it('a SOCKS5 proxy without authentication carries the traffic', async () => {
    const res = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(socksOpen.port), protocol: 'socks5' }, token);
    expect(res.status).toBe(201);
    expect(socksOpen.carried).toBe(1);
    expect((await outbound('/via/socks')).body).toBe('seen /via/socks');
    expect(socksOpen.carried).toBe(2);
  });

  it('a SOCKS4 proxy carries the traffic with its user id; another user id is refused', async () => {
    const bad = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(socks4.port), protocol: 'socks4', username: 'mallory' }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.response.message).toEqual(['Invalid proxy']);
    expect(socks4.refused).toBe(1);
    const good = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(socks4.port), protocol: 'socks4', username: 'carol' }, token);
    expect(good.status).toBe(201);
    expect(good.body.proxy.proxy).toEqual({ enabled: true, host: '127.0.0.1', port: String(socks4.port), protocol: 'socks4', username: 'carol', password: '' });
    expect(socks4.carried).toBe(1);
    expect((await outbound('/via/socks4')).body).toBe('seen /via/socks4');
    expect(socks4.carried).toBe(2);
  });

  it('a SOCKS5 proxy with username and password: wrong credentials are refused, right ones carry the traffic', async () => {
    const bad = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(socksAuth.port), protocol: 'socks5', username: 'bob', password: 'nope' }, token);
    expect(bad.status).toBe(400);
    expect(bad.body.response.message).toEqual(['Invalid proxy']);
    expect(socksAuth.refusedAuth).toBe(1);
    expect(socksAuth.carried).toBe(0);

    const good = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(socksAuth.port), protocol: 'socks5', username: 'bob', password: 'socks-secret' }, token);
    expect(good.status).toBe(201);
    expect(good.body.proxy.proxy.password).toBe(MASKED_PASSWORD);
    expect(socksAuth.carried).toBe(1);
    expect((await outbound('/via/socks-auth')).body).toBe('seen /via/socks-auth');
    expect(socksAuth.carried).toBe(2);
  });

  it('the stored proxy is used after a restart too (the dispatcher is rebuilt from the database)', async () => {
    const dir = server.dir;
    const env = server.env;
    await server.stop({ keepData: true });
    server = await startTestServer(env, dir);
    const carried = socksAuth.carried;
    expect((await outbound('/after/restart')).body).toBe('seen /after/restart');
    expect(socksAuth.carried).toBe(carried + 1);
  });

  it('a dead proxy is an invalid proxy, within the probe timeout', async () => {
    const started = Date.now();
    const res = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', port: String(await deadPort()), protocol: 'http' }, token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Invalid proxy'] } });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('an unknown protocol or a port that is not a number is an invalid proxy', async () => {
    for (const body of [{ protocol: 'ftp', port: String(http.port) }, { protocol: 'http', port: 'eighty' }, { protocol: 'http', port: '70000' }]) {
      const res = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1', ...body }, token);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.response.message).toEqual(['Invalid proxy']);
    }
  });

  it('the cloud metadata service and link-local addresses are refused as proxies, without connecting', async () => {
    for (const host of ['169.254.169.254', 'metadata.google.internal', '169.254.10.10', '[fe80::1]']) {
      const res = await server.call('POST', '/proxy/set/px', { enabled: true, host, port: '80', protocol: 'http' }, token);
      expect(res.status, host).toBe(400);
      expect(res.body.response.message[0]).toBe('Invalid proxy');
      expect(res.body.response.message[1]).toMatch(/not allowed \((metadata|link-local)\)/);
    }
  });

  it('enabled:false turns the proxy off: the answer blanks it and traffic goes direct', async () => {
    const before = socksAuth.carried;
    const res = await server.call('POST', '/proxy/set/px', { enabled: false, host: '127.0.0.1', port: String(socksAuth.port), protocol: 'socks5', username: 'bob', password: 'socks-secret' }, token);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ proxy: { instanceName: 'px', proxy: { enabled: false, host: '', port: '', protocol: '', username: '', password: '' } } });
    expect(socksAuth.carried).toBe(before);
    expect(await outbound('/direct')).toEqual({ status: 200, body: 'seen /direct', proxied: false });
    expect(socksAuth.carried).toBe(before);
    expect((await server.call('GET', '/proxy/find/px', undefined, token)).body).toMatchObject({ enabled: false, host: '', password: '' });
  });

  it('malformed bodies get upstream validation messages', async () => {
    const missing = await server.call('POST', '/proxy/set/px', { enabled: true, host: '127.0.0.1' }, token);
    expect(missing.status).toBe(400);
    expect(missing.body.response.message).toEqual(expect.arrayContaining(['instance requires property "port"', 'instance requires property "protocol"']));
    const types = await server.call('POST', '/proxy/set/px', { enabled: 'yes', host: 1, port: 3128, protocol: 'http' }, token);
    expect(types.status).toBe(400);
    expect(types.body.response.message).toEqual(expect.arrayContaining(['enabled is not of a type(s) boolean', 'host is not of a type(s) string', 'port is not of a type(s) string']));
    const empty = await server.call('POST', '/proxy/set/px', { enabled: true, host: '', port: '1', protocol: 'http' }, token);
    expect(empty.body.response.message).toEqual(['The "host" cannot be empty']);
  });

  it("another instance's token is 401 and an unknown instance 404, on both routes", async () => {
    const body = { enabled: false, host: 'h', port: '1', protocol: 'http' };
    expect((await server.call('POST', '/proxy/set/px', body, otherToken)).status).toBe(401);
    expect((await server.call('GET', '/proxy/find/px', undefined, otherToken)).body).toEqual({ status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
    const unknown = await server.call('POST', '/proxy/set/nobody', body);
    expect(unknown.status).toBe(404);
    expect(unknown.body.response.message).toEqual(['The "nobody" instance does not exist']);
    expect((await server.call('GET', '/proxy/find/nobody')).status).toBe(404);
  });
});

describe('/proxy/set with MEDIA_URL_ALLOW_PRIVATE=false', () => {
  let server: TestServer;
  const proxy = new HttpProxy();

  beforeAll(async () => {
    await proxy.start();
    server = await startTestServer({ MEDIA_URL_ALLOW_PRIVATE: 'false', PROXY_PROBE_URL: 'http://127.0.0.1:9/', PROXY_PROBE_TIMEOUT_MS: '500' });
    await connectedSandbox(server, 'strict', '5511944443333');
  });
  afterAll(async () => {
    await server?.stop();
    await proxy.stop();
  });

  it('refuses a proxy on loopback or a private network, by address or by name, without connecting to it', async () => {
    for (const host of ['127.0.0.1', 'localhost', '10.1.2.3', '192.168.0.10', '[::1]']) {
      const res = await server.call('POST', '/proxy/set/strict', { enabled: true, host, port: String(proxy.port), protocol: 'http' });
      expect(res.status, host).toBe(400);
      expect(res.body.response.message, host).toEqual(['Invalid proxy', expect.stringMatching(/not allowed \(private\)/)]);
    }
    expect(proxy.carried + proxy.refused).toBe(0);
  });
});

describe('proxyDispatcher', () => {
  it('checks the address of an HTTP proxy named by host when each connection opens', async () => {
    const proxy = await new HttpProxy().start();
    const target = await new ProbeTarget().start();
    try {
      const open = proxyDispatcher({ host: 'localhost', port: String(proxy.port), protocol: 'http', username: '', password: '' }, { allowPrivate: true });
      expect((await (await request(`${target.url}/ok`, { dispatcher: open })).body.text())).toBe('seen /ok');
      expect(proxy.carried).toBe(1);
      await open.close();

      const strict = proxyDispatcher({ host: 'localhost', port: String(proxy.port), protocol: 'http', username: '', password: '' }, { allowPrivate: false });
      const err = await request(`${target.url}/refused`, { dispatcher: strict }).then(() => undefined, (e: unknown) => e);
      expect(addressRefusalIn(err)?.reason).toBe('private');
      expect(proxy.carried).toBe(1);
      await strict.close();
    } finally {
      await proxy.stop();
      await target.stop();
    }
  });
});

describe("an instance's media downloads go through its proxy", () => {
  let server: TestServer;
  const target = new ProbeTarget();
  const proxy = new HttpProxy();
  let token = '';

  beforeAll(async () => {
    await Promise.all([target.start(), proxy.start()]);
    server = await startTestServer({ PROXY_PROBE_URL: `${target.url}/probe`, PROXY_PROBE_TIMEOUT_MS: '1500' });
    token = await connectedSandbox(server, 'media-px', '5511944445555');
    await connectedSandbox(server, 'media-peer', '5511944446666');
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([target.stop(), proxy.stop()]);
  });

  const sendDocument = (path: string) => server.call('POST', '/message/sendMedia/media-px', { number: '5511944446666', mediatype: 'document', media: `${target.url}${path}`, fileName: 'note.txt' }, token);

  it('sendMedia by URL downloads through the proxy while it is set, and directly once it is off', async () => {
    const set = await server.call('POST', '/proxy/set/media-px', { enabled: true, host: '127.0.0.1', port: String(proxy.port), protocol: 'http' }, token);
    expect(set.status).toBe(201);
    expect(proxy.carried).toBe(1);

    const viaProxy = await sendDocument('/doc/one.txt');
    expect(viaProxy.status, JSON.stringify(viaProxy.body)).toBe(201);
    expect(target.hits).toContain('/doc/one.txt');
    expect(proxy.carried).toBe(2);

    expect((await server.call('POST', '/proxy/set/media-px', { enabled: false, host: '127.0.0.1', port: String(proxy.port), protocol: 'http' }, token)).status).toBe(201);
    const direct = await sendDocument('/doc/two.txt');
    expect(direct.status, JSON.stringify(direct.body)).toBe(201);
    expect(target.hits).toContain('/doc/two.txt');
    expect(proxy.carried).toBe(2);
  });
});
