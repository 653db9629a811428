import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { connectedSandbox, startTestServer } from '../helpers/server.js';
import type { Provider } from '../../src/storage/db.js';
import { FakePlatform } from './fakePlatform.js';
import { Conversation } from './conversation.js';

/** A bot conversation on each database: trigger, debounced turn, stop word, a session restored after a restart. */
const { run, skipped } = await availableProviders();
describe.each(run)('a bot conversation on %s', (provider) => suite(provider));
for (const provider of skipped) describe.skip(`a bot conversation on ${provider} (database not reachable)`, () => suite(provider));

function suite(provider: Provider): void {
  const bot = new FakePlatform();
  let tdb: TestDatabase;
  let c: Conversation;
  const env = () => ({ DATABASE_PROVIDER: provider, DATABASE_CONNECTION_URI: tdb.uri });

  beforeAll(async () => {
    await bot.start();
    bot.on('POST', '/bot', (r) => ({ json: { message: `echo: ${r.body.query}` } }));
    tdb = await createTestDatabase(provider);
    const server = await startTestServer(env());
    c = new Conversation(server, 'db-bots', '5511977775001');
    c.token = await connectedSandbox(server, 'db-bots', '5511977775001');
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
    await tdb?.drop();
    await bot.stop();
  });

  it('answers, ends on the stop word, and answers input left waiting when the server stopped', async () => {
    await c.createBot('evolutionBot', { apiUrl: `${bot.url}/bot`, triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'hi', debounceTime: 1, keywordFinish: 'bye' });
    await c.say('5511977775101', 'hi there');
    await c.say('5511977775101', 'second line');
    expect(await c.waitSent('5511977775101', 1)).toEqual(['echo: hi there\nsecond line']);
    await c.say('5511977775101', 'bye');
    await c.settled('5511977775101');
    expect((await c.api('GET', '/evolutionBot/fetchSessions/x/:i')).body).toEqual([]);

    await c.api('POST', '/evolutionBot/create/:i', { enabled: true, apiUrl: `${bot.url}/bot`, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'later', debounceTime: 4 });
    await c.say('5511977775102', 'later');
    const dir = c.server.dir;
    const token = c.token;
    await c.server.stop({ keepData: true });
    const server = await startTestServer(env(), dir);
    c = new Conversation(server, 'db-bots', '5511977775001');
    c.token = token;
    expect(await c.waitSent('5511977775102', 1, 20_000)).toEqual(['echo: later']);
  }, 60_000);
}
