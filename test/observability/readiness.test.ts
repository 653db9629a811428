import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { CuttableProxy } from '../helpers/cuttableProxy.js';

const { run } = await availableProviders();
const suite = run.includes('postgresql') ? describe : describe.skip;

suite('readiness follows the database (PostgreSQL behind a cuttable proxy)', () => {
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase('postgresql');
    const url = new URL(db.uri);
    proxy = new CuttableProxy(Number(url.port || 5432));
    await proxy.start();
    url.host = `127.0.0.1:${proxy.port}`;
    server = await startTestServer({ DATABASE_PROVIDER: 'postgresql', DATABASE_CONNECTION_URI: url.toString() });
  });
  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await proxy?.stop();
    await db?.drop();
  });

  it('200 with the database, 503 without it, 200 again when it returns; liveness stays 200', async () => {
    const ready = () => server.call('GET', '/health/ready', undefined, null);
    expect((await ready()).status).toBe(200);

    await proxy.cut();
    const down = await waitFor(async () => {
      const r = await ready();
      return r.status === 503 && r;
    }, 10_000, 'readiness 503');
    expect(down.body).toMatchObject({ status: 'down', checks: { database: { ok: false } } });
    expect((await server.call('GET', '/health', undefined, null)).status).toBe(200);

    await proxy.start(proxy.port);
    const back = await waitFor(async () => {
      const r = await ready();
      return r.status === 200 && r;
    }, 15_000, 'readiness back to 200');
    expect(back.body).toMatchObject({ status: 'healthy', checks: { database: { ok: true }, migrations: { ok: true } } });
  });
});
