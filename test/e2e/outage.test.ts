/**
 * Database outage during an inbound burst, with a real gateway process whose database (PostgreSQL or MariaDB) is
 * reached through a TCP proxy that the test cuts (every connection destroyed, new ones refused) and restores on the
 * same port. The contract: POST /sandbox/inbound answers 2xx only once the message is durably stored (it may wait as
 * long as the database is away) or 503 (holding back, not an acknowledgement: the client retries the same id, the
 * server deduplicates by id). Every 2xx-acknowledged message reaches the webhook as messages.upsert, in per-chat
 * order, a redelivery keeps its webhook-id, and the process stays up.
 *
 * E2E_OUTAGE_MS=<ms> replaces every outage length (0 = no cut: checks the harness itself).
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { availableProviders, createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { CuttableProxy } from '../helpers/cuttableProxy.js';
import { createSandboxInstance, freePort, GatewayProcess, sleep, until } from '../helpers/gatewayProcess.js';
import { checkDeliveries, floodPlan, postInbound, some, upsertReport, type FloodMessage } from '../helpers/inboundFlood.js';
import type { Provider } from '../../src/storage/db.js';

const KEY = 'outage-global-key-0123456789';
const INSTANCE = 'outage';
const CHATS = 16;
const PER_CHAT = Number(process.env.E2E_OUTAGE_PER_CHAT ?? 150);
/** The cut starts when this share of the burst is acknowledged. */
const CUT_AT = 0.4;
/** Client timeout of one inbound POST: the server may hold it while the database is away. */
const CLIENT_TIMEOUT_MS = 120_000;
/** Wait before retrying the same id after a 503 (or another failure). */
const RETRY_503_MS = 100;
const RETRY_OTHER_MS = 250;
/** A 503 of sendText counts as "answered before sending" when it comes within this time. */
const QUICK_503_MS = 3000;
/** The wait for deliveries ends when nothing new arrived for this long. */
const SETTLE_MS = 10_000;
const OVERRIDE = process.env.E2E_OUTAGE_MS === undefined ? undefined : Number(process.env.E2E_OUTAGE_MS);

interface Scenario {
  provider: Provider;
  outageMs: number;
  sendText: boolean;
  /** Extra gateway settings. */
  env?: Record<string, string>;
}

const SCENARIOS: Scenario[] = [
  { provider: 'postgresql', outageMs: 5000, sendText: true },
  // A small ingest bound: during the long outage the server holds back (503) part of the 16 concurrent posts.
  { provider: 'postgresql', outageMs: 30_000, sendText: false, env: { INGEST_MAX_PENDING_PER_INSTANCE: '8' } },
  { provider: 'mysql', outageMs: 5000, sendText: false },
];

function gatewayEnv(provider: Provider, uri: string): Record<string, string> {
  return {
    AUTHENTICATION_API_KEY: KEY,
    DATABASE_PROVIDER: provider,
    DATABASE_CONNECTION_URI: uri,
    DATABASE_CONNECTION_CLIENT_NAME: 'outage',
    LOG_LEVEL: 'warn',
    SANDBOX_ACK_DELAY_MS: '1',
    WEBHOOK_RETRY_INITIAL_DELAY_SECONDS: '0.05',
    WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.5',
    WEBHOOK_OUTBOX_LEASE_MS: '4000',
  };
}

/** Total of stored messages matching `where` (retried while the database is still coming back). */
async function storedTotal(gw: GatewayProcess, where: Record<string, unknown> = {}): Promise<number> {
  let last = '';
  return until(
    async () => {
      try {
        const r = await gw.call('POST', `/chat/findMessages/${INSTANCE}`, { where, page: 1, offset: 1 }, 10_000);
        if (r.status === 200) return { total: Number(r.body.messages.total) };
        last = `HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`;
      } catch (e) {
        last = String(e);
      }
      return undefined;
    },
    20_000,
    () => `findMessages ${JSON.stringify(where)} (last: ${last})`,
    250,
  ).then((r) => r.total);
}

const { run, skipped } = await availableProviders();

for (const scenario of SCENARIOS) {
  const outageMs = OVERRIDE ?? scenario.outageMs;
  const title = `database outage of ${outageMs / 1000} s during an inbound burst (${scenario.provider} behind a cuttable proxy${scenario.env ? `, ${Object.entries(scenario.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''})`;
  if (!run.includes(scenario.provider)) {
    if (skipped.includes(scenario.provider)) describe.skip(title, () => it(`needs a reachable ${scenario.provider} server`, () => undefined));
    continue;
  }

  describe(title, () => {
    const hook = new WebhookReceiver();
    let tdb: TestDatabase;
    let proxy: CuttableProxy;
    let gw: GatewayProcess;
    let failedInbound: { readonly n: number };

    beforeAll(async () => {
      await hook.start();
      tdb = await createTestDatabase(scenario.provider);
      const url = new URL(tdb.uri);
      proxy = new CuttableProxy(Number(url.port || (scenario.provider === 'mysql' ? 3306 : 5432)), url.hostname);
      await proxy.start();
      url.host = `127.0.0.1:${proxy.port}`;
      gw = await GatewayProcess.start(`gateway/${scenario.provider}`, await freePort(), { ...gatewayEnv(scenario.provider, url.toString()), ...scenario.env });
      failedInbound = gw.count(/failed to process inbound message/);
      await createSandboxInstance(gw, INSTANCE, '5511900000001', { url: `${hook.url}/hook`, events: ['MESSAGES_UPSERT'] });
    }, 60_000);

    afterAll(async () => {
      await gw?.kill();
      await proxy?.stop();
      await hook.stop();
      await tdb?.drop();
    }, 30_000);

    it(
      `${CHATS} chats x ${PER_CHAT} messages (+1 after the outage): every acknowledged one reaches the webhook in chat order, the process stays up`,
      async () => {
        onTestFailed(() => console.log(`[outage/${scenario.provider}/${outageMs}] gateway logs (last lines):\n${gw?.logs.slice(-20).map((l) => l.slice(0, 300)).join('\n')}`));
        const plan = floodPlan(INSTANCE, CHATS, PER_CHAT + 1, 'c');
        const all = plan.flat();
        const total = all.length;
        const answers = new Map<string, number>();
        const note = (what: string) => answers.set(what, (answers.get(what) ?? 0) + 1);
        let acked = 0;
        let cutAt = 0;
        let restoringAt = 0;
        let restoredAt = 0;
        let outage: Promise<void> | undefined;
        let inFlight = 0;
        let inFlightAtCut = 0;
        let maxAckMs = 0;
        const started = Date.now();
        // Long enough for the outage and a slow server; the test's own timeout is the backstop.
        const deadline = started + outageMs + 100_000;

        const maybeCut = () => {
          if (outage || outageMs <= 0 || acked < total * CUT_AT) return;
          outage = (async () => {
            inFlightAtCut = inFlight;
            await proxy.cut();
            cutAt = Date.now();
            await sleep(outageMs);
            restoringAt = Date.now();
            await proxy.restore();
            restoredAt = Date.now();
          })();
        };

        const client = async (list: FloodMessage[]) => {
          for (const m of list) {
            // The last message of each chat is posted once the database is back: the server serves again.
            if (m.seq === PER_CHAT) await outage;
            for (;;) {
              if (Date.now() > deadline || !gw.alive) return;
              inFlight++;
              const o = await postInbound(gw.url, KEY, m, CLIENT_TIMEOUT_MS);
              inFlight--;
              if (o.kind === 'ack') {
                note(String(o.status));
                maxAckMs = Math.max(maxAckMs, o.ms);
                acked++;
                maybeCut();
                break;
              }
              if (o.kind === 'status') {
                note(String(o.status));
                await sleep(o.status === 503 ? RETRY_503_MS : RETRY_OTHER_MS);
              } else {
                note(`no answer: ${o.error}`);
                await sleep(RETRY_OTHER_MS);
              }
            }
          }
        };
        await Promise.all(plan.map(client));
        const floodDoneAt = Date.now();
        await outage;
        const ackedMessages = all.filter((m) => m.state === 'acked');
        const inOutage = cutAt ? ackedMessages.filter((m) => m.ackedAt >= cutAt && m.ackedAt <= restoredAt).length : 0;
        // Sent after the cut and answered before the proxy listened again: the database was unreachable the whole time.
        const ackedBlind = cutAt ? ackedMessages.filter((m) => m.sentAt >= cutAt && m.ackedAt < restoringAt) : [];

        // Every acknowledged message must arrive; wait for them (not failing here: the checks below say what is missing).
        const ackedIds = new Set(ackedMessages.map((m) => m.id));
        const arrived = () => {
          const report = upsertReport(hook.received, INSTANCE);
          return [...ackedIds].every((id) => report.byId.has(id));
        };
        // Until all are there, or nothing new arrived for SETTLE_MS (at most 60 s).
        let seen = hook.received.length;
        let lastNewAt = Date.now();
        await until(
          () => {
            if (hook.received.length !== seen) [seen, lastNewAt] = [hook.received.length, Date.now()];
            return arrived() || Date.now() - lastNewAt > SETTLE_MS || !gw.alive;
          },
          60_000,
          'every acknowledged id at the webhook',
          200,
        ).catch(() => undefined);
        const deliveredAt = Date.now();
        await sleep(500); // a late duplicate, if any, is caught by the webhook-id check
        const report = upsertReport(hook.received, INSTANCE);
        const check = checkDeliveries(report, ackedMessages);

        const alive = gw.alive;
        const health = alive ? await gw.call('GET', '/health').then((r) => r.status, (e) => String(e)) : 'process gone';
        const stored = alive ? await storedTotal(gw).catch(() => -1) : -1;

        console.log(
          `[outage/${scenario.provider}/${outageMs} ms] ${total} inbound in ${floodDoneAt - started} ms; ${ackedMessages.length} acknowledged ` +
            `(${inOutage} of them while the database was cut, ${ackedBlind.length} of which were sent after the cut, ${inFlightAtCut} requests in flight at the cut; slowest acknowledgement ${maxAckMs} ms); ` +
            `answers: ${JSON.stringify(Object.fromEntries(answers))}; cut at ${cutAt ? cutAt - started : '-'} ms for ${outageMs} ms; ` +
            `webhook: ${report.deliveries} messages.upsert deliveries of ${report.byId.size} ids (${check.duplicates} duplicates), all acknowledged ids ` +
            `${check.missing.length ? `NOT there (${check.missing.length} missing)` : `there ${deliveredAt - Math.max(restoredAt, floodDoneAt)} ms after the restore and the last acknowledgement`}; ` +
            `stored ${stored}; "failed to process inbound message" logged ${failedInbound.n} times; process ${alive ? 'alive' : `exited ${JSON.stringify(gw.exit)}`}`,
        );

        expect.soft(alive, `the gateway process exited: ${JSON.stringify(gw.exit)}`).toBe(true);
        expect.soft(health, 'GET /health').toBe(200);
        expect.soft(ackedBlind.length, `2xx for requests sent after the cut and answered before the restore (not durably stored): ${some(ackedBlind.map((m) => m.id))}`).toBe(0);
        expect.soft(check.missing.length, `acknowledged (2xx) but never delivered as messages.upsert: ${check.missing.length} of ${ackedMessages.length}: ${some(check.missing)}`).toBe(0);
        expect.soft(check.outOfOrder.length, `per-chat order of first arrivals: ${some(check.outOfOrder)}`).toBe(0);
        expect.soft(check.severalWebhookIds.length, `a redelivery keeps the webhook-id of the first delivery: ${some(check.severalWebhookIds, 3)}`).toBe(0);
        const unacked = all.filter((m) => m.state !== 'acked');
        expect.soft(unacked.length, `messages never acknowledged before the deadline (the server must accept again once the database is back): ${some(unacked.map((m) => `${m.id} (${m.last ?? 'never sent'})`), 5)}`).toBe(0);
        const after = all.filter((m) => m.seq === PER_CHAT);
        expect.soft(after.filter((m) => !report.byId.has(m.id)).length, 'the message of each chat posted after the outage is acknowledged and delivered').toBe(0);
        const unexpected = [...answers.keys()].filter((a) => !/^(2\d\d|503)$/.test(a));
        expect.soft(unexpected.map((a) => `${a} x${answers.get(a)}`), 'answers other than 2xx and 503').toEqual([]);
        expect.soft(stored, '/chat/findMessages total >= acknowledged').toBeGreaterThanOrEqual(ackedMessages.length);
        expect.soft(stored, '/chat/findMessages total <= distinct ids posted (deduplicated by id)').toBeLessThanOrEqual(total);
        if (outageMs > 0) expect(cutAt, 'the database was cut during the burst').toBeGreaterThan(0);
      },
      outageMs + 180_000,
    );

    if (scenario.sendText) {
      it(
        'sendText while the database is cut: 503 before sending, or 201 and stored once the database is back; never 500',
        async () => {
          onTestFailed(() => console.log(`[outage/sendText] gateway logs (last lines):\n${gw?.logs.slice(-20).map((l) => l.slice(0, 300)).join('\n')}`));
          const number = '5511987654321';
          const cutMs = outageMs > 0 ? 8000 : 0;
          let restoredAt = Date.now();
          let restoringAt = 0;
          let outage: Promise<void> = Promise.resolve();
          if (cutMs > 0) {
            await proxy.cut();
            outage = sleep(cutMs)
              .then(() => {
                restoringAt = Date.now();
                return proxy.restore();
              })
              .then(() => {
                restoredAt = Date.now();
              });
            await sleep(500);
          }
          const results = await Promise.all(
            Array.from({ length: 3 }, async (_, i) => {
              const t0 = Date.now();
              try {
                const r = await gw.call('POST', `/message/sendText/${INSTANCE}`, { number, text: `x${i}` }, 60_000);
                return { status: r.status as number | string, ms: Date.now() - t0, at: Date.now(), id: r.status === 201 ? String(r.body?.key?.id) : undefined, body: JSON.stringify(r.body).slice(0, 200) };
              } catch (e) {
                return { status: `no answer: ${String((e as Error).cause ?? e)}` as number | string, ms: Date.now() - t0, at: Date.now(), id: undefined, body: '' };
              }
            }),
          );
          await outage;
          const created = results.filter((r) => r.status === 201);
          const found = new Map<string, number>();
          for (const r of created) found.set(r.id!, await storedTotal(gw, { key: { id: r.id } }));
          const sentToNumber = await storedTotal(gw, { key: { remoteJid: number, fromMe: true } });
          console.log(
            `[outage/sendText/${scenario.provider}] cut ${cutMs} ms: ${results.map((r) => `${r.status} in ${r.ms} ms${r.id ? ` (id ${r.id}, stored ${found.get(r.id)})` : ''}${r.status !== 201 && r.status !== 503 ? ` ${r.body}` : ''}`).join('; ')}; ` +
              `${sentToNumber} messages to ${number} stored ${Date.now() - restoredAt} ms after the restore; process ${gw.alive ? 'alive' : 'gone'}`,
          );
          for (const r of results) {
            expect.soft([201, 503], `sendText answered ${r.status} after ${r.ms} ms ${r.body}`).toContain(r.status);
            if (r.status === 503) expect.soft(r.ms, 'a 503 comes quickly (before sending)').toBeLessThanOrEqual(QUICK_503_MS);
            if (r.status === 201 && cutMs > 0) expect.soft(r.at, 'a 201 is not answered while the database is unreachable (sent after the cut, answered before the restore)').toBeGreaterThanOrEqual(restoringAt);
            if (r.status === 201) expect.soft(found.get(r.id!), `sendText 201 (id ${r.id}) found by /chat/findMessages once the database is back`).toBe(1);
          }
          expect.soft(sentToNumber, 'messages stored for the number = the 201s (a 503 stored nothing)').toBe(created.length);
          expect(gw.alive, 'the gateway process is alive').toBe(true);
        },
        90_000,
      );
    }
  });
}
