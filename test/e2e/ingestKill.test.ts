/**
 * SIGKILL during an inbound flood (SQLite, PostgreSQL), with real gateway processes: 32 chats post their messages
 * concurrently (one after the other within a chat) to POST /sandbox/inbound; the process is SIGKILLed once ~40% are
 * acknowledged and restarted on the same database and port. Every 2xx-acknowledged message must reach the webhook as
 * messages.upsert, in per-chat order, each message id with ONE webhook-id across all its deliveries (a redelivery after
 * the restart keeps it). The messages that were not acknowledged (in flight at the kill, or never sent) are then
 * posted again with the same ids: they arrive, and /chat/findMessages holds each id exactly once.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { createSandboxInstance, freePort, GatewayProcess, sleep, until, waitOpen } from '../helpers/gatewayProcess.js';
import { checkDeliveries, floodPlan, postInbound, some, upsertReport } from '../helpers/inboundFlood.js';
import type { Provider } from '../../src/storage/db.js';

const KEY = 'ingest-kill-global-key-0123456789';
const INSTANCE = 'ingest';
const CHATS = 32;
const PER_CHAT = Number(process.env.E2E_KILL_PER_CHAT ?? 75);
const KILL_AT = Math.round(CHATS * PER_CHAT * 0.4);
const CLIENT_TIMEOUT_MS = 60_000;
/** The wait for deliveries ends when all are there or nothing new arrived for this long. */
const SETTLE_MS = 10_000;
/** How long the receiver takes to answer each webhook until the restart. */
const RECEIVER_DELAY_MS = 100;

function gatewayEnv(db: TestDatabase): Record<string, string> {
  return {
    AUTHENTICATION_API_KEY: KEY,
    DATABASE_PROVIDER: db.provider,
    DATABASE_CONNECTION_URI: db.uri,
    DATABASE_CONNECTION_CLIENT_NAME: 'ingest-kill',
    LOG_LEVEL: 'warn',
    SANDBOX_ACK_DELAY_MS: '1',
    WEBHOOK_RETRY_INITIAL_DELAY_SECONDS: '0.05',
    WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5',
    // The restarted process takes the killed one's outbox partitions over when their lease expires.
    WEBHOOK_OUTBOX_LEASE_MS: '4000',
  };
}

/** Waits until every id of `ids` arrived as messages.upsert, or nothing new arrived for SETTLE_MS (at most `maxMs`). */
async function settle(hook: WebhookReceiver, ids: readonly string[], maxMs = 60_000): Promise<boolean> {
  let seen = -1;
  let lastNewAt = Date.now();
  let complete = false;
  await until(
    () => {
      if (hook.received.length !== seen) [seen, lastNewAt] = [hook.received.length, Date.now()];
      const report = upsertReport(hook.received, INSTANCE);
      complete = ids.every((id) => report.byId.has(id));
      return complete || Date.now() - lastNewAt > SETTLE_MS;
    },
    maxMs,
    'deliveries',
    200,
  ).catch(() => undefined);
  return complete;
}

/** Runs `fn` over `items` with `n` at a time. */
async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const { run, skipped } = await availableProviders();
const PROVIDERS: Provider[] = ['sqlite', 'postgresql'];

for (const provider of PROVIDERS) {
  const title = `SIGKILL during an inbound flood, restart on the same database (${provider})`;
  if (!run.includes(provider)) {
    if (skipped.includes(provider)) describe.skip(title, () => it(`needs a reachable ${provider} server`, () => undefined));
    continue;
  }

  describe(title, () => {
    const hook = new WebhookReceiver();
    let tdb: TestDatabase;
    let gw: GatewayProcess;

    beforeAll(async () => {
      await hook.start();
      tdb = await createTestDatabase(provider);
    }, 30_000);

    afterAll(async () => {
      await gw?.kill();
      await hook.stop();
      await tdb?.drop();
    }, 30_000);

    it(
      `${CHATS} chats x ${PER_CHAT} messages: every acknowledged one arrives in chat order with one webhook-id; the others, posted again, are stored once`,
      async () => {
        onTestFailed(() => console.log(`[ingest-kill/${provider}] ${gw?.name} logs (last lines):\n${gw?.logs.slice(-20).map((l) => l.slice(0, 300)).join('\n')}`));
        const port = await freePort();
        const env = gatewayEnv(tdb);
        gw = await GatewayProcess.start('gateway#1', port, env);
        await createSandboxInstance(gw, INSTANCE, '5511900000001', { url: `${hook.url}/hook`, events: ['MESSAGES_UPSERT'] });

        const plan = floodPlan(INSTANCE, CHATS, PER_CHAT, 'k');
        const all = plan.flat();
        const answers = new Map<string, number>();
        const note = (what: string) => answers.set(what, (answers.get(what) ?? 0) + 1);
        let acked = 0;
        let killedAt = 0;
        const first = gw;
        // A slow receiver during the flood: deliveries fall behind, so the kill leaves acknowledged messages undelivered.
        hook.respond = () => ({ status: 200, delayMs: RECEIVER_DELAY_MS });
        let backlogAtKill = 0;
        const started = Date.now();

        // --- phase 1: the flood, SIGKILL at KILL_AT acknowledgements; a chat stops at its first post without an answer ---
        await Promise.all(
          plan.map(async (list) => {
            for (const m of list) {
              for (let attempt = 0; ; attempt++) {
                const o = await postInbound(first.url, KEY, m, CLIENT_TIMEOUT_MS);
                if (o.kind === 'ack') {
                  note(String(o.status));
                  if (++acked >= KILL_AT && !killedAt) {
                    first.child.kill('SIGKILL');
                    killedAt = Date.now();
                    const delivered = upsertReport(hook.received, INSTANCE).byId;
                    backlogAtKill = all.filter((x) => x.state === 'acked' && !delivered.has(x.id)).length;
                  }
                  break;
                }
                note(o.kind === 'status' ? String(o.status) : `no answer${killedAt ? ' (after the kill)' : ' (BEFORE the kill)'}: ${o.error}`);
                if (o.kind === 'error' || attempt >= 20) return; // not acknowledged: this one and the rest of the chat
                await sleep(o.status === 503 ? 100 : 250);
              }
            }
          }),
        );
        await first.exited;
        const exitedAt = Date.now();
        const ackedBefore = all.filter((m) => m.state === 'acked');
        const inFlight = all.filter((m) => m.state === 'failed');
        const unsent = all.filter((m) => m.state === 'unsent');

        // --- restart on the same database, same port ---
        hook.respond = () => ({ status: 200 });
        gw = await GatewayProcess.start('gateway#2', port, env);
        const restartedAt = Date.now();
        await waitOpen(gw, INSTANCE);
        const complete1 = await settle(hook, ackedBefore.map((m) => m.id));
        const report1 = upsertReport(hook.received, INSTANCE);
        const phase1 = checkDeliveries(report1, ackedBefore);
        const inFlightStored = inFlight.filter((m) => report1.byId.has(m.id)).length;
        // Deliveries from the new process (the killed one's last requests were answered within RECEIVER_DELAY_MS).
        const fromNew = hook.received.filter((r) => r.at > exitedAt + RECEIVER_DELAY_MS + 100 && r.body?.event === 'messages.upsert' && r.body.instance === INSTANCE);
        const firstAt = new Map<string, number>();
        for (const r of hook.received) if (r.body?.event === 'messages.upsert' && !firstAt.has(r.body.data.key.id)) firstAt.set(r.body.data.key.id, r.at);
        const backlogByNew = ackedBefore.filter((m) => (firstAt.get(m.id) ?? 0) > exitedAt + RECEIVER_DELAY_MS + 100).length;
        const redeliveredByNew = fromNew.filter((r) => firstAt.get(r.body.data.key.id)! < r.at).length;

        // --- phase 2: the not acknowledged ones again, same ids, per chat in order ---
        const again = [...inFlight, ...unsent];
        const deadline = Date.now() + 60_000;
        await Promise.all(
          plan.map(async (list) => {
            for (const m of list.filter((x) => x.state !== 'acked')) {
              while (Date.now() < deadline && gw.alive) {
                const o = await postInbound(gw.url, KEY, m, CLIENT_TIMEOUT_MS);
                note(`again ${o.kind === 'error' ? `no answer: ${o.error}` : o.status}`);
                if (o.kind === 'ack') break;
                await sleep(o.kind === 'status' && o.status === 503 ? 100 : 250);
              }
              if (m.state !== 'acked') return;
            }
          }),
        );
        const complete2 = await settle(hook, all.map((m) => m.id));
        const report = upsertReport(hook.received, INSTANCE);
        const final = checkDeliveries(report, all);

        // --- the store: each id exactly once ---
        const totals = await pool(again, 16, async (m) => {
          const r = await gw.call('POST', `/chat/findMessages/${INSTANCE}`, { where: { key: { id: m.id } } }, 15_000);
          return { id: m.id, total: r.status === 200 ? Number(r.body.messages.total) : -r.status };
        });
        const notOnce = totals.filter((t) => t.total !== 1).map((t) => `${t.id}: ${t.total}`);
        const everything = await gw.call('POST', `/chat/findMessages/${INSTANCE}`, { page: 1, offset: 1 });
        const storedTotal = Number(everything.body?.messages?.total);

        console.log(
          `[ingest-kill/${provider}] phase 1: ${ackedBefore.length} acknowledged, SIGKILL at ${killedAt - started} ms, ${inFlight.length} in flight at the kill ` +
            `(${inFlightStored} of them delivered anyway: committed before the kill), ${unsent.length} never sent; restart ${restartedAt - killedAt} ms after the kill; ` +
            `${backlogAtKill} acknowledged but not delivered at the kill; acknowledged ones ${complete1 ? 'all delivered' : `NOT all delivered (${phase1.missing.length} missing)`}, the new process delivered ${backlogByNew} of them for the first time and redelivered ${redeliveredByNew} already delivered (same webhook-id expected); ` +
            `phase 2: ${again.length} posted again, ${again.filter((m) => m.state === 'acked').length} acknowledged; answers ${JSON.stringify(Object.fromEntries(answers))}; ` +
            `webhook: ${report.deliveries} deliveries of ${report.byId.size} ids (${final.duplicates} duplicates), ${complete2 ? 'all there' : `${final.missing.length} missing`}; ` +
            `stored ${storedTotal} (${all.length} ids), ids not stored exactly once: ${notOnce.length}; took ${Date.now() - started} ms`,
        );

        expect(killedAt, 'the gateway was killed during the flood').toBeGreaterThan(0);
        expect.soft(ackedBefore.length, 'acknowledged before the kill').toBeGreaterThanOrEqual(KILL_AT);
        expect.soft(phase1.missing.length, `acknowledged before the kill, never delivered: ${some(phase1.missing)}`).toBe(0);
        expect.soft(phase1.outOfOrder.length, `per-chat order of first arrivals (acknowledged before the kill): ${some(phase1.outOfOrder)}`).toBe(0);
        const beforeKill = [...answers.keys()].filter((a) => a.includes('BEFORE the kill'));
        expect.soft(beforeKill, 'posts without an answer before the kill').toEqual([]);
        expect.soft(again.filter((m) => m.state !== 'acked').length, `posted again, never acknowledged: ${some(again.filter((m) => m.state !== 'acked').map((m) => `${m.id} (${m.last})`), 5)}`).toBe(0);
        expect.soft(final.missing.length, `never delivered: ${some(final.missing)}`).toBe(0);
        expect.soft(final.outOfOrder.length, `per-chat order of first arrivals (all): ${some(final.outOfOrder)}`).toBe(0);
        expect.soft(final.severalWebhookIds.length, `message ids delivered with more than one webhook-id: ${some(final.severalWebhookIds, 3)}`).toBe(0);
        expect.soft(notOnce.length, `ids posted again not found exactly once by /chat/findMessages where.key.id: ${some(notOnce)}`).toBe(0);
        expect.soft(storedTotal, '/chat/findMessages total = distinct ids posted').toBe(all.length);
        expect(gw.alive, `the restarted gateway is alive: ${JSON.stringify(gw.exit)}`).toBe(true);
      },
      180_000,
    );
  });
}
