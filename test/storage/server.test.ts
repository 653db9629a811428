import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import type { Provider } from '../../src/storage/db.js';

const { run, skipped } = await availableProviders();

describe.each(run)('real server on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`real server on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  let tdb: TestDatabase | undefined;
  let server: TestServer | undefined;

  beforeAll(async () => {
    tdb = await createTestDatabase(provider);
    server = await startTestServer({ DATABASE_PROVIDER: provider, DATABASE_CONNECTION_URI: tdb.uri });
  });

  afterAll(async () => {
    await server?.stop();
    await tdb?.drop();
  });

  it('sends a text from A to B and reads it back from B', async () => {
    const s = server!;
    const numberA = '5511911110001';
    const numberB = '5511911110002';
    await connectedSandbox(s, 'storeA', numberA);
    await connectedSandbox(s, 'storeB', numberB);
    const text = `Olá B, tudo bem? 🚀 ${provider}`;

    const sent = await s.call('POST', '/message/sendText/storeA', { number: numberB, text });
    expect(sent.status).toBe(201);
    expect(sent.body.key).toMatchObject({ remoteJid: `${numberB}@s.whatsapp.net`, fromMe: true });
    const keyId = sent.body.key.id as string;

    const found = await waitFor(async () => {
      const r = await s.call('POST', '/chat/findMessages/storeB', { where: { key: { id: keyId } } });
      return r.status === 200 && r.body.messages.total === 1 ? r.body : undefined;
    }, 5000, 'the message to reach B');
    const [record] = found.messages.records;
    expect(record).toMatchObject({
      key: { id: keyId, fromMe: false, remoteJid: `${numberA}@s.whatsapp.net` },
      message: { conversation: text },
      messageType: 'conversation',
      messageTimestamp: sent.body.messageTimestamp,
    });

    // A has its own copy, sent by itself
    const mine = await s.call('POST', '/chat/findMessages/storeA', { where: { key: { id: keyId, fromMe: true } } });
    expect(mine.status).toBe(200);
    expect(mine.body.messages.total).toBe(1);
    expect(mine.body.messages.records[0]).toMatchObject({ key: { id: keyId, fromMe: true }, message: { conversation: text } });
  });
}
