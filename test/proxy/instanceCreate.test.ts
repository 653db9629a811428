import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { deadPort, HttpProxy, ProbeTarget } from './localProxies.js';
import { MASKED_PASSWORD } from '../../src/domain/proxies.js';

describe('/instance/create with the proxy fields, against real local proxies', () => {
  let server: TestServer;
  const target = new ProbeTarget();
  const proxy = new HttpProxy({ username: 'alice', password: 'cr3ate-secret' });

  beforeAll(async () => {
    await Promise.all([target.start(), proxy.start()]);
    server = await startTestServer({ PROXY_PROBE_URL: `${target.url}/probe`, PROXY_PROBE_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([target.stop(), proxy.stop()]);
  });

  const create = (instanceName: string, fields: Record<string, unknown> = {}) => server.call('POST', '/instance/create', { instanceName, integration: 'SANDBOX', ...fields });
  const fetchOne = async (name: string) => (await server.call('GET', `/instance/fetchInstances?instanceName=${name}`)).body[0];
  const working = () => ({ proxyHost: '127.0.0.1', proxyPort: String(proxy.port), proxyProtocol: 'http', proxyUsername: 'alice', proxyPassword: 'cr3ate-secret' });

  it('a working proxy is tested through it and stored; /proxy/find and fetchInstances show it masked', async () => {
    const res = await create('cpx', working());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(proxy.carried).toBe(1);
    expect(target.hits).toEqual(['/probe']);
    expect(JSON.stringify(res.body)).not.toContain('cr3ate');

    const found = await server.call('GET', '/proxy/find/cpx', undefined, res.body.hash);
    expect(found.status).toBe(200);
    const expected = { enabled: true, host: '127.0.0.1', port: String(proxy.port), protocol: 'http', username: 'alice', password: MASKED_PASSWORD, instanceId: res.body.instance.instanceId };
    expect(found.body).toMatchObject(expected);

    const listed = await fetchOne('cpx');
    expect(listed.Proxy).toEqual(found.body);
    expect(listed).toMatchObject({ name: 'cpx', Setting: expect.any(Object), _count: { Message: 0, Contact: 0, Chat: 0 } });
    expect(JSON.stringify((await server.call('GET', '/instance/fetchInstances')).body)).not.toContain('cr3ate');

    const row = await server.gateway.db.kysely.selectFrom('proxies').selectAll().where('instanceId', '=', res.body.instance.instanceId).executeTakeFirstOrThrow();
    expect(row.password).toMatch(/^v1\./);
    expect(row.password).not.toContain('cr3ate');
  });

  it('a dead proxy is 400 Invalid proxy and the instance is removed again', async () => {
    const res = await create('cdead', { proxyHost: '127.0.0.1', proxyPort: String(await deadPort()), proxyProtocol: 'http' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Invalid proxy'] } });

    expect((await server.call('GET', '/instance/fetchInstances')).body.map((i: { name: string }) => i.name)).not.toContain('cdead');
    expect((await server.call('GET', '/instance/fetchInstances?instanceName=cdead')).status).toBe(404);
    const state = await server.call('GET', '/instance/connectionState/cdead');
    expect(state.status).toBe(404);
    expect(state.body.response.message).toEqual(['The "cdead" instance does not exist']);
    expect(await server.gateway.db.kysely.selectFrom('instances').select('id').where('name', '=', 'cdead').executeTakeFirst()).toBeUndefined();

    // the name is free again
    expect((await create('cdead', working())).status).toBe(201);
  });

  it('wrong proxy credentials are an invalid proxy too, and never echoed', async () => {
    const res = await create('cwrong', { ...working(), proxyPassword: 'not-the-one' });
    expect(res.status).toBe(400);
    expect(res.body.response.message).toEqual(['Invalid proxy']);
    expect(JSON.stringify(res.body)).not.toContain('not-the-one');
    expect((await server.call('GET', '/instance/connectionState/cwrong')).status).toBe(404);
  });

  it('without the proxy fields (or without all of host, port and protocol) no proxy is stored: Proxy is null', async () => {
    expect((await create('cplain')).status).toBe(201);
    expect((await create('cpartial', { proxyHost: '127.0.0.1', proxyPort: String(proxy.port) })).status).toBe(201);
    for (const name of ['cplain', 'cpartial']) {
      expect((await fetchOne(name)).Proxy).toBeNull();
      expect((await server.call('GET', `/proxy/find/${name}`)).body).toBeNull();
    }
    // every listed instance carries its own proxy row or null
    const all = (await server.call('GET', '/instance/fetchInstances')).body as { name: string; Proxy: { host: string } | null }[];
    expect(Object.fromEntries(all.map((i) => [i.name, i.Proxy?.host ?? null]))).toEqual({ cpx: '127.0.0.1', cdead: '127.0.0.1', cplain: null, cpartial: null });
  });
});
