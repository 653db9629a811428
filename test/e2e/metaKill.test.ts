/**
 * SIGKILL right after /webhook/meta answered 200: the gateway (a real process, SQLite) takes 1,000 Cloud API messages
 * in signed webhook posts of 5 (the last of each a photo, downloaded slowly until the kill); it is killed the moment
 * the 100th post is answered, with payloads still waiting in its inbox (checked in its database). After a restart on the same data every message of every answered post is stored and announced exactly once;
 * the unanswered posts, sent again as Meta does, are stored too, and nothing twice (each message one event, one webhook-id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { WebhookReceiver } from '../helpers/receiver.js';
import { freePort, GatewayProcess, until } from '../helpers/gatewayProcess.js';
import { APP_SECRET, FakeGraph, VERSION } from '../../sim/graph/fakeGraph.js';

const KEY = 'meta-kill-global-key-0123456789';
const POSTS = 200;
const PER_POST = 5;
const KILL_AT = 100;
const STREAMS = 8;

describe('SIGKILL right after /webhook/meta answered 200', () => {
  const hook = new WebhookReceiver();
  const graph = new FakeGraph();
  let dir: string;
  let gw: GatewayProcess | undefined;

  beforeAll(async () => {
    await hook.start();
    await graph.start();
    dir = mkdtempSync(join(tmpdir(), 'gw-meta-kill-'));
  });
  afterAll(async () => {
    await gw?.kill();
    await hook.stop();
    await graph.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${POSTS} posts x ${PER_POST} messages, killed at the ${KILL_AT}th 200: nothing answered is lost, nothing is stored twice`, async () => {
    onTestFailed(() => console.log(gw?.logs.slice(-30).join('\n')));
    const env = { AUTHENTICATION_API_KEY: KEY, DATABASE_PROVIDER: 'sqlite', DATABASE_CONNECTION_URI: join(dir, 'gateway.db'), LOG_LEVEL: 'warn', WA_BUSINESS_URL: graph.url, WA_BUSINESS_VERSION: VERSION, WA_BUSINESS_APP_SECRET: APP_SECRET, WEBHOOK_RETRY_INITIAL_DELAY_SECONDS: '0.05', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5', WEBHOOK_OUTBOX_LEASE_MS: '4000' };
    const port = await freePort();
    gw = await GatewayProcess.start('gateway#1', port, env, 90_000);
    const phone = graph.addPhone({ id: '106540352242999', display: '15550009999' });
    const created = await gw.call('POST', '/instance/create', { instanceName: 'meta', integration: 'WHATSAPP-BUSINESS', token: phone.token, number: phone.id, businessId: phone.businessId, webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    expect(created.status).toBe(201);
    graph.webhookUrl = `${gw.url}/webhook/meta`;

    const posts = Array.from({ length: POSTS }, (_, p) => {
      const from = `55119${String(p % 40).padStart(8, '0')}`;
      // Each post ends with a photo: its download (slow until the kill) keeps payloads in the inbox when the process dies.
      const messages = Array.from({ length: PER_POST }, (_, i) =>
        i === PER_POST - 1
          ? { from, id: `wamid.KILL${p}x${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'image', image: { mime_type: 'image/jpeg', sha256: 'x', id: 'PHOTO', caption: `post ${p}` } }
          : { from, id: `wamid.KILL${p}x${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `post ${p} message ${i}` } },
      );
      return { ids: messages.map((m) => m.id), payload: graph.envelope(phone, { contacts: [{ profile: { name: 'Kill' }, wa_id: from }], messages }) };
    });
    graph.media.set('PHOTO', { data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), mimetype: 'image/jpeg' });
    graph.downloadDelayMs = 2000;
    const t0 = Date.now();
    const answered = new Set<number>();
    let killed = false;
    let next = 0;
    await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        while (!killed && next < POSTS) {
          const p = next++;
          const res = await graph.post(posts[p]!.payload).catch(() => undefined);
          if (res?.status !== 200) continue;
          answered.add(p);
          if (answered.size >= KILL_AT && !killed) {
            killed = true;
            gw!.child.kill('SIGKILL');
          }
        }
      }),
    );
    await gw.exited;
    graph.downloadDelayMs = 0;
    // The durable inbox still held answered payloads at the kill: this test exercised the path it is about.
    const db = new Database(join(dir, 'gateway.db'));
    const waiting = (db.prepare('select count(*) as n from channelInbox').get() as { n: number }).n;
    const storedAtKill = (db.prepare("select count(*) as n from messages where keyId like 'wamid.KILL%'").get() as { n: number }).n;
    db.close();
    expect(waiting, 'answered payloads were still waiting in the inbox at the kill').toBeGreaterThan(0);
    console.log(`[meta-kill] answered ${answered.size} posts (${answered.size * PER_POST} messages); at the kill ${waiting} payloads waited in the inbox, ${storedAtKill} messages were stored`);

    const t1 = Date.now();
    // (Start-up compiles the tree with tsx: slow on a busy machine.)
    gw = await GatewayProcess.start('gateway#2', port, env, 90_000);
    const t2 = Date.now();
    graph.webhookUrl = `${gw.url}/webhook/meta`;
    const acknowledged = [...answered].flatMap((p) => posts[p]!.ids);
    const stored = async (id: string) => (await gw!.call('POST', '/chat/findMessages/meta', { where: { key: { id } } })).body.messages.total as number;
    await until(async () => (await gw!.call('GET', '/instance/connectionState/meta')).body?.instance?.state === 'open', 15_000, 'open after the restart');
    const upserted = () => new Set(hook.events('messages.upsert').map((r) => r.body.data.key.id as string));
    await until(() => acknowledged.every((id) => upserted().has(id)), 30_000, () => `the acknowledged messages announced (${acknowledged.filter((id) => upserted().has(id)).length}/${acknowledged.length})`);
    const t3 = Date.now();
    console.log(`[meta-kill] flood ${t1 - t0} ms, restart ${t2 - t1} ms, acknowledged announced ${t3 - t2} ms`);
    for (const id of acknowledged.filter((_, i) => i % 25 === 0)) expect(await stored(id)).toBe(1);

    // Meta sends again what it got no 200 for.
    for (const [p, post] of posts.entries()) if (!answered.has(p)) expect((await graph.post(post.payload)).status).toBe(200);
    const all = posts.flatMap((p) => p.ids);
    await until(() => all.every((id) => upserted().has(id)), 30_000, () => `every message announced (${all.filter((id) => upserted().has(id)).length}/${all.length})`);
    // The outbox delivers at least once (a delivery in flight at the kill is sent again), always as the same event:
    // one webhook-id per message. A payload processed again after the kill is refused by the messages' unique key.
    const webhookIds = new Map<string, Set<string>>();
    for (const r of hook.events('messages.upsert')) {
      const set = webhookIds.get(r.body.data.key.id) ?? new Set<string>();
      webhookIds.set(r.body.data.key.id, set.add(String(r.headers['webhook-id'])));
    }
    expect([...webhookIds].filter(([, ids]) => ids.size > 1).map(([id]) => id), 'announced as two different events').toEqual([]);
    const total = (await gw.call('POST', '/chat/findMessages/meta', {})).body.messages.total as number;
    expect(total).toBe(POSTS * PER_POST);
  }, 300_000);
});
