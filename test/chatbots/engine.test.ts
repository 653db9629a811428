import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakePlatform } from './fakePlatform.js';
import { Conversation, waitFor } from './conversation.js';

/**
 * The engine, tested once for every bot (through Evolution Bot, the generic HTTP provider, against a local endpoint):
 * triggers, sessions and their statuses, the stop word, expiry, debounce, pause and resume, fallback, ignored JIDs,
 * the owner's own messages, unknown messages, split answers and media in answers.
 */
const bot = new FakePlatform();
let c: Conversation;
let contact = 5511977772000;
/** A fresh contact for each test: every test has its own chat. */
const next = () => String(++contact);
const botUrl = (name: string) => `${bot.url}/bot/${name}`;
const queries = (name: string) => bot.calls(`/bot/${name}`).map((r) => r.body.query as string);

beforeAll(async () => {
  await bot.start();
  bot.on('POST', /^\/bot\/[\w-]+$/, (r) => {
    const name = r.path.split('/').pop()!;
    if (name === 'media') return { json: { message: `Here it is\n\n![The chart](${bot.url}/files/chart.png)\n\nAnything else?` } };
    if (name === 'split') return { json: { message: 'First part.\n\nSecond part.' } };
    return { json: { message: `${name}: ${r.body.query}` } };
  });
  bot.on('GET', '/files/chart.png', () => ({ contentType: 'image/png', body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64') }));
  c = await Conversation.open();
}, 30_000);
afterAll(async () => {
  await c?.stop();
  await bot.stop();
});

describe('triggers', () => {
  beforeAll(async () => {
    for (const [name, op, value] of [['eq', 'equals', 'menu'], ['has', 'contains', 'price'], ['starts', 'startsWith', 'order '], ['ends', 'endsWith', '?!'], ['re', 'regex', '^track-\\d+$']] as const) {
      await c.createBot('evolutionBot', { apiUrl: botUrl(name), triggerType: 'keyword', triggerOperator: op, triggerValue: value });
    }
    await c.createBot('evolutionBot', { apiUrl: botUrl('adv'), triggerType: 'advanced', triggerValue: 'contains:refund notContains:never' });
  });

  it('a keyword opens a session with the bot whose operator and value match; the session carries the next messages', async () => {
    const cases: Array<[string, string]> = [['menu', 'eq'], ['what is the price of it', 'has'], ['order 42 please', 'starts'], ['really?!', 'ends'], ['track-123', 're'], ['I want a Refund now', 'adv']];
    for (const [text, name] of cases) {
      const who = next();
      await c.say(who, text);
      expect(await c.waitSent(who, 1), text).toEqual([`${name}: ${text}`]);
      await c.say(who, 'and then?');
      expect(await c.waitSent(who, 2)).toEqual([`${name}: ${text}`, `${name}: and then?`]);
    }
  });

  it('a message no trigger meets opens nothing; equals is exact; advanced notContains excludes', async () => {
    for (const text of ['Menu', 'nothing here', 'track-12a', 'refund? never']) {
      const who = next();
      await c.say(who, text);
      await c.settled(who);
      expect(await c.sent(who), text).toEqual([]);
    }
  });

  it('refuses a second trigger with the same operator and value, and a keyword without its value (400, upstream words)', async () => {
    const dup = await c.api('POST', '/evolutionBot/create/:i', { enabled: true, apiUrl: botUrl('x'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'menu' });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Trigger already exists'] } });
    const bare = await c.api('POST', '/evolutionBot/create/:i', { enabled: true, apiUrl: botUrl('x'), triggerType: 'keyword' });
    expect(bare.body.response.message).toEqual(['Trigger operator and value are required']);
  });
});

describe('sessions', () => {
  it('the stop word ends the session (deleted); keepOpen keeps it closed and the bot quiet', async () => {
    const plain = await c.createBot('evolutionBot', { apiUrl: botUrl('stop'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'stop-test', keywordFinish: 'Bye' });
    const who = next();
    await c.say(who, 'stop-test');
    await c.waitSent(who, 1);
    expect((await c.api('GET', `/evolutionBot/fetchSessions/${plain.id}/:i`)).body.map((s: any) => s.remoteJid)).toContain(`${who}@s.whatsapp.net`);
    await c.say(who, ' bye ');
    await c.settled(who);
    expect((await c.api('GET', `/evolutionBot/fetchSessions/${plain.id}/:i`)).body.filter((s: any) => s.remoteJid === `${who}@s.whatsapp.net`)).toEqual([]);
    await c.say(who, 'after');
    await c.settled(who);
    expect(await c.sentTexts(who)).toEqual(['stop: stop-test']);

    const kept = await c.createBot('evolutionBot', { apiUrl: botUrl('kept'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'keep-test', keywordFinish: 'bye', keepOpen: true });
    const other = next();
    await c.say(other, 'keep-test');
    await c.waitSent(other, 1);
    await c.say(other, 'bye');
    await c.settled(other);
    const sessions = (await c.api('GET', `/evolutionBot/fetchSessions/${kept.id}/:i`)).body.filter((s: any) => s.remoteJid === `${other}@s.whatsapp.net`);
    expect(sessions.map((s: any) => s.status)).toEqual(['closed']);
    await c.say(other, 'keep-test');
    await c.settled(other);
    expect(await c.sentTexts(other)).toEqual(['kept: keep-test']);
  });

  it('an expired session ends; the next message must meet a trigger again', async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('exp'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'expire-test', expire: 1 });
    const who = next();
    await c.say(who, 'expire-test');
    await c.waitSent(who, 1);
    // Two minutes pass without a word.
    const db = c.server.gateway.db.kysely;
    await db.updateTable('chatbotSessions').set({ updatedAt: new Date(Date.now() - 120_000).toISOString() }).where('remoteJid', '=', `${who}@s.whatsapp.net`).execute();
    await c.say(who, 'still there?');
    await c.settled(who);
    expect(await c.sentTexts(who)).toEqual(['exp: expire-test']);
    expect(await db.selectFrom('chatbotSessions').selectAll().where('remoteJid', '=', `${who}@s.whatsapp.net`).execute()).toEqual([]);
  });

  it('debounce: messages split over a few seconds reach the bot as one, joined by new lines', async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('deb'), triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'deb:', debounceTime: 1 });
    const who = next();
    await c.say(who, 'deb: hello');
    await c.say(who, 'I need');
    await c.say(who, 'a table for two');
    expect(await c.waitSent(who, 1)).toEqual(['deb: deb: hello\nI need\na table for two']);
    expect(queries('deb')).toEqual(['deb: hello\nI need\na table for two']);
  });

  it("the owner's message pauses the session (stopBotFromMe); changeStatus opened resumes it; listeningFromMe lets the owner talk to the bot", async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('pause'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'pause-test' });
    const who = next();
    await c.say(who, 'pause-test');
    await c.waitSent(who, 1);
    await c.say(who, 'A human here, I take it from now', { fromMe: true });
    await c.settled(who);
    const sessions = await c.api('GET', '/evolutionBot/fetchSessions/none/:i');
    expect(sessions.body.find((s: any) => s.remoteJid === `${who}@s.whatsapp.net`).status).toBe('paused');
    await c.say(who, 'hello?');
    await c.settled(who);
    expect((await c.sentTexts(who)).filter((t) => t.startsWith('pause:'))).toEqual(['pause: pause-test']);
    const resumed = await c.api('POST', '/evolutionBot/changeStatus/:i', { remoteJid: who, status: 'opened' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.bot.bot).toEqual({ remoteJid: `${who}@s.whatsapp.net`, status: 'opened' });
    await c.say(who, 'back');
    await waitFor(async () => (await c.sentTexts(who)).includes('pause: back'), 5000, 'the bot to answer again');

    await c.createBot('evolutionBot', { apiUrl: botUrl('owner'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'owner-test', listeningFromMe: true, stopBotFromMe: false });
    const chat = next();
    await c.say(chat, 'owner-test', { fromMe: true });
    expect(await c.waitSent(chat, 2)).toEqual(['owner-test', 'owner: owner-test']);
  });

  it('changeStatus closed and delete end the chat\'s session', async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('cs'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'cs-test' });
    const who = next();
    await c.say(who, 'cs-test');
    await c.waitSent(who, 1);
    const del = await c.api('POST', '/evolutionBot/changeStatus/:i', { remoteJid: `${who}@s.whatsapp.net`, status: 'delete' });
    expect(del.body).toEqual({ bot: { remoteJid: `${who}@s.whatsapp.net`, status: 'delete' } });
    await c.say(who, 'no session now');
    await c.settled(who);
    expect(await c.sentTexts(who)).toEqual(['cs: cs-test']);
  });
});

describe('defaults', () => {
  let fresh: Conversation;
  beforeEach(async () => {
    fresh = await Conversation.open({}, 'bots-defaults', '5511977771002');
    return () => fresh.stop();
  }, 20_000);

  it('fetchSettings answers the defaults before any; a fallback bot takes what no trigger meets; ignoreJid silences a chat', async () => {
    const defaults = await fresh.api('GET', '/evolutionBot/fetchSettings/:i');
    expect(defaults.body).toEqual({ expire: 300, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true, stopBotFromMe: true, keepOpen: false, debounceTime: 1, ignoreJids: [], splitMessages: false, timePerChar: 0, fallbackId: '', fallback: null });
    await fresh.createBot('evolutionBot', { apiUrl: botUrl('kw'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'kw' });
    const fb = await fresh.createBot('evolutionBot', { apiUrl: botUrl('fallback'), triggerType: 'none', enabled: true });
    // A `none` bot takes every message (as upstream 2.3); disable it so it only serves as the fallback.
    await fresh.api('PUT', `/evolutionBot/update/${fb.id}/:i`, { enabled: false, apiUrl: botUrl('fallback'), triggerType: 'none' });
    const settings = { expire: 0, keywordFinish: '#stop', delayMessage: 0, unknownMessage: 'Sorry?', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 0, ignoreJids: [], splitMessages: false, timePerChar: 0 };
    // A disabled fallback is not used.
    const set = await fresh.api('POST', '/evolutionBot/settings/:i', { ...settings, fallbackId: fb.id });
    expect(set.status).toBe(200);
    expect(set.body.fallbackId).toBe(fb.id);
    const a = next();
    await fresh.say(a, 'anything');
    await fresh.settled(a);
    expect(await fresh.sent(a)).toEqual([]);
    await fresh.api('PUT', `/evolutionBot/update/${fb.id}/:i`, { enabled: true, apiUrl: botUrl('fallback'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'never-said' });
    await fresh.say(a, 'anything at all');
    expect(await fresh.waitSent(a, 1)).toEqual(['fallback: anything at all']);
    expect((await fresh.api('GET', '/evolutionBot/fetchSettings/:i')).body.fallback.id).toBe(fb.id);

    const quiet = next();
    const ignored = await fresh.api('POST', '/evolutionBot/ignoreJid/:i', { remoteJid: `${quiet}@s.whatsapp.net`, action: 'add' });
    expect(ignored.body).toEqual({ ignoreJids: [`${quiet}@s.whatsapp.net`] });
    await fresh.say(quiet, 'kw');
    await fresh.settled(quiet);
    expect(await fresh.sent(quiet)).toEqual([]);
    expect((await fresh.api('POST', '/evolutionBot/ignoreJid/:i', { remoteJid: `${quiet}@s.whatsapp.net`, action: 'remove' })).body).toEqual({ ignoreJids: [] });
    await fresh.say(quiet, 'kw');
    expect(await fresh.waitSent(quiet, 1)).toEqual(['kw: kw']);
  });

  it('bots and groups: "@g.us" in ignoreJids keeps every group quiet', async () => {
    await fresh.createBot('evolutionBot', { apiUrl: botUrl('grp'), triggerType: 'all', ignoreJids: ['@g.us'] });
    const group = await fresh.api('POST', '/group/create/:i', { subject: 'Bots', participants: ['5511977779999'] });
    expect(group.status).toBe(201);
    await fresh.say('5511977779999', 'hello group', { groupJid: group.body.id });
    const who = next();
    await fresh.say(who, 'hello direct');
    expect(await fresh.waitSent(who, 1)).toEqual(['grp: hello direct']);
    const inGroup = await fresh.api('POST', '/chat/findMessages/:i', { where: { key: { remoteJid: group.body.id, fromMe: true } } });
    expect(inGroup.body.messages.records.filter((m: any) => m.messageType !== 'protocolMessage')).toEqual([]);
  });
});

describe('answers', () => {
  it('a message with nothing to read gets unknownMessage; Markdown media links go out as media; splitMessages sends paragraphs', async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('media'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'media-test' });
    const who = next();
    await c.say(who, 'media-test');
    expect(await c.waitSent(who, 3)).toEqual(['Here it is', '[imageMessage]', 'Anything else?']);
    const image = (await c.sent(who))[1];
    expect(image.message.imageMessage.caption).toBe('The chart');
    await c.send(who, { stickerMessage: { url: 'https://example.invalid/s.webp', mimetype: 'image/webp' } });
    expect((await c.waitSent(who, 4))[3]).toBe('Sorry?');

    await c.createBot('evolutionBot', { apiUrl: botUrl('split'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'split-test', splitMessages: true, timePerChar: 1 });
    const other = next();
    await c.say(other, 'split-test');
    expect(await c.waitSent(other, 2)).toEqual(['First part.', 'Second part.']);
  });

  it("what the bot receives: the turn's text, the chat's session, the instance", async () => {
    await c.createBot('evolutionBot', { apiUrl: botUrl('payload'), apiKey: 'bot-secret-123456', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'payload-test' });
    const who = next();
    await c.say(who, 'payload-test', { pushName: 'Ana' });
    await c.waitSent(who, 1);
    const call = bot.calls('/bot/payload')[0]!;
    expect(call.headers.authorization).toBe('Bearer bot-secret-123456');
    expect(call.body).toMatchObject({ query: 'payload-test', remoteJid: `${who}@s.whatsapp.net`, sessionId: `${who}@s.whatsapp.net`, pushName: 'Ana', fromMe: false, instanceName: 'bots', apiKey: c.token });
  });
});

describe('durability and isolation', () => {
  it('a turn waiting for its debounce survives a restart: the input is stored with its due time and answered after', async () => {
    const first = await Conversation.open({}, 'bots-restart', '5511977771003');
    await first.createBot('evolutionBot', { apiUrl: botUrl('restart'), triggerType: 'all', debounceTime: 4 });
    const who = next();
    await first.say(who, 'before the restart');
    const dir = first.server.dir;
    const env = first.server.env;
    await first.server.stop({ keepData: true });
    expect(queries('restart')).toEqual([]);
    const { startTestServer } = await import('../helpers/server.js');
    const server = await startTestServer({ ...env, SERVER_PORT: '0' }, dir);
    const again = new Conversation(server, 'bots-restart', '5511977771003');
    again.token = first.token;
    try {
      expect(await again.waitSent(who, 1, 20_000)).toEqual(['restart: before the restart']);
      expect(queries('restart')).toEqual(['before the restart']);
    } finally {
      await server.stop();
    }
  }, 45_000);

  it("an instance's bots are its own: another instance's token is refused, another instance's bot id is not found", async () => {
    const mine = await c.createBot('evolutionBot', { apiUrl: botUrl('mine'), triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'mine-only' });
    const { connectedSandbox } = await import('../helpers/server.js');
    const strangerToken = await connectedSandbox(c.server, 'bots-stranger', '5511977771004');
    const foreign = await c.server.call('GET', `/evolutionBot/fetch/${mine.id}/bots`, undefined, strangerToken);
    expect(foreign.status).toBe(401);
    const asStranger = (m: string, p: string, b?: unknown) => c.server.call(m, p, b, strangerToken);
    expect((await asStranger('GET', `/evolutionBot/fetch/${mine.id}/bots-stranger`)).body).toBeNull();
    expect((await asStranger('GET', '/evolutionBot/find/bots-stranger')).body).toEqual([]);
    const upd = await asStranger('PUT', `/evolutionBot/update/${mine.id}/bots-stranger`, { enabled: false, apiUrl: botUrl('x'), triggerType: 'all' });
    expect(upd.status).toBe(404);
    expect(upd.body).toEqual({ status: 404, error: 'Not Found', response: { message: ['EvolutionBot not found'] } });
    expect((await asStranger('DELETE', `/evolutionBot/delete/${mine.id}/bots-stranger`)).status).toBe(404);
    expect((await c.api('GET', `/evolutionBot/fetch/${mine.id}/:i`)).body.id).toBe(mine.id);
  });

  it('a kind whose integration is off answers 400 "<Name> is disabled" on its routes (Evolution Bot is always on)', async () => {
    for (const [path, name] of [['/typebot/find/:i', 'Typebot'], ['/openai/creds/:i', 'Openai'], ['/dify/fetchSettings/:i', 'Dify'], ['/flowise/find/:i', 'Flowise'], ['/n8n/find/:i', 'N8n'], ['/evoai/find/:i', 'Evoai']]) {
      const res = await c.api('GET', path!);
      expect(res.body, path).toEqual({ status: 400, error: 'Bad Request', response: { message: [`${name} is disabled`] } });
    }
    expect((await c.api('GET', '/evolutionBot/find/:i')).status).toBe(200);
  });

  it('secrets are sealed at rest and masked in answers; sending the masked value back keeps the secret', async () => {
    const created = await c.createBot('evolutionBot', { apiUrl: botUrl('sealed'), apiKey: 'sk-very-secret-key-0001', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'sealed-test' });
    expect(created.apiKey).toBe('sk-****0001');
    const row = await c.server.gateway.db.kysely.selectFrom('chatbots').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('very-secret');
    await c.api('PUT', `/evolutionBot/update/${created.id}/:i`, { ...created, description: 'renamed' });
    const who = next();
    await c.say(who, 'sealed-test');
    await c.waitSent(who, 1);
    expect(bot.calls('/bot/sealed')[0]!.headers.authorization).toBe('Bearer sk-very-secret-key-0001');
  });
});
