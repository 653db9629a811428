import { afterEach, describe, expect, it } from 'vitest';
import { HttpProxy, Socks5Proxy } from '../proxy/localProxies.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';

describe('WHATSAPP-BAILEYS through the instance proxy', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  let proxy: HttpProxy | Socks5Proxy | undefined;
  afterEach(async () => {
    await b?.stop();
    await proxy?.stop();
    b = undefined;
    proxy = undefined;
  });

  for (const protocol of ['http', 'socks5'] as const) {
    it(`${protocol}: the WhatsApp WebSocket goes through the proxy (with its credentials), and the login works`, async () => {
      const credentials = { username: 'gw', password: 's3cret' };
      proxy = await (protocol === 'http' ? new HttpProxy(credentials) : new Socks5Proxy(credentials)).start();
      b = await startBench();
      // /proxy/set tests the proxy with a request through it: the simulator's HTTP port answers
      await b.server.stop();
      b = await startBench({ PROXY_PROBE_URL: b.sim.url.replace('ws://', 'http://') }, { sim: b.sim, hook: b.hook });
      await b.create('proxied', { qrcode: false });
      const set = await b.server.call('POST', '/proxy/set/proxied', { enabled: true, host: '127.0.0.1', port: String(proxy.port), protocol, ...credentials });
      expect(set.status, JSON.stringify(set.body)).toBe(201);
      const probed = proxy.carried;
      const qr = await b.server.call('GET', '/instance/connect/proxied');
      expect(qr.body.code).toBeTypeOf('string');
      expect(proxy.carried).toBeGreaterThan(probed);
      await b.sim.phone(PHONE).scan(qr.body.code);
      await b.waitEvent('proxied', 'connection.update', (d) => d.state === 'open', 60_000);
      // the reconnect after pairing went through the proxy too
      expect(proxy.carried).toBeGreaterThan(probed + 1);
    });
  }
});
