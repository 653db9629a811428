import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/server.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';
const FAST = { BAILEYS_RECONNECT_BASE_MS: '50', BAILEYS_RECONNECT_MAX_MS: '200' };

describe('WHATSAPP-BAILEYS reconnect policy, drilled on the simulator through the gateway', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  const companion = () => b!.sim.phone(PHONE).companions()[0]!.jid;
  const opens = (name: string) => b!.events(name, 'connection.update').filter((r) => r.body.data.state === 'open').length;
  const credentialsStored = async () => (await b!.server.gateway.db.kysely.selectFrom('channelAuth').select('instanceId').execute()).length;

  for (const reason of [515, 408, 428] as const) {
    it(`${reason}: reconnects with the saved credentials (connecting with the reason, then open), no QR`, async () => {
      b = await startBench(FAST);
      await b.link('drill', PHONE);
      const qrs = b.events('drill', 'qrcode.updated').length;
      await b.sim.drop(companion(), reason);
      await b.waitEvent('drill', 'connection.update', (d) => d.state === 'connecting' && d.statusReason === reason);
      await waitFor(() => opens('drill') === 2, 15_000, 'open again');
      expect(await b.state('drill')).toBe('open');
      expect(b.events('drill', 'qrcode.updated')).toHaveLength(qrs);
      expect(b.sim.phone(PHONE).companions()).toHaveLength(1);
    });
  }

  it('401: closes, clears the credentials and keys, emits logout.instance', async () => {
    b = await startBench(FAST);
    await b.link('logged-out', PHONE);
    await b.sim.drop(companion(), 401);
    await b.waitEvent('logged-out', 'logout.instance');
    const closed = await b.waitEvent('logged-out', 'connection.update', (d) => d.state === 'close');
    expect(closed.body.data.statusReason).toBe(401);
    expect(await credentialsStored()).toBe(0);
    expect((await b.server.gateway.db.kysely.selectFrom('channelKeys').select('keyId').execute()).length).toBe(0);
    expect(await b.state('logged-out')).toBe('close');
  });

  it('440: another session took over; stays closed and says why', async () => {
    b = await startBench(FAST);
    await b.link('replaced', PHONE);
    await b.sim.drop(companion(), 440);
    const closed = await b.waitEvent('replaced', 'connection.update', (d) => d.state === 'close');
    expect(closed.body.data.statusReason).toBe(440);
    await new Promise((r) => setTimeout(r, 500));
    expect(await b.state('replaced')).toBe('close');
    expect(opens('replaced')).toBe(1);
    expect(await credentialsStored()).toBe(1);
    const status = await b.waitEvent('replaced', 'status.instance');
    expect(status.body.data).toMatchObject({ status: 'closed', disconnectionReasonCode: 440 });
  });

  it('500: drops the unusable keys and asks for a new QR', async () => {
    b = await startBench(FAST);
    await b.link('bad-session', PHONE);
    const qrs = b.events('bad-session', 'qrcode.updated').length;
    await b.sim.drop(companion(), 500);
    await b.waitEvent('bad-session', 'connection.update', (d) => d.state === 'connecting' && d.statusReason === 500);
    await waitFor(() => b!.events('bad-session', 'qrcode.updated').length > qrs, 10_000, 'a new QR');
    expect(await credentialsStored()).toBe(0);
    expect(await b.state('bad-session')).toBe('connecting');
  });

  it('repeated failures: an instance that cannot reconnect N times in a row stays closed with its reason', async () => {
    b = await startBench({ ...FAST, BAILEYS_MAX_FAILURES: '3' });
    await b.link('failing', PHONE);
    // the server goes away: the socket closes and every reconnect is refused
    const droppedAt = Date.now();
    await b.sim.stop();
    const closed = await b.waitEvent('failing', 'connection.update', (d) => d.state === 'close', 15_000);
    // the first close is the dropped socket (428), the next ones the refused connection attempts
    const attempts = b.events('failing', 'connection.update').filter((r) => r.at >= droppedAt && r.body.data.state === 'connecting' && r.body.data.statusReason !== 200);
    expect(attempts.map((r) => r.body.data.statusReason)).toEqual([428, closed.body.data.statusReason, closed.body.data.statusReason]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.state('failing')).toBe('close');
    // credentials are kept: /instance/connect tries again without a QR
    expect(await credentialsStored()).toBe(1);
  });

  it('a stalled send times out with a clear error, and the socket restarts without a new QR', async () => {
    b = await startBench({ ...FAST, BAILEYS_SEND_TIMEOUT_MS: '1500' });
    const { token } = await b.link('stall', PHONE);
    const zoe = b.messaging.contact('15550009999', 'Zoe');
    // the prekey bundle query of the first send to zoe is never answered: the socket looks open, nothing moves
    b.sim.router.ignoreNext({ xmlns: 'encrypt', type: 'get', child: 'key' });
    const qrs = b.events('stall', 'qrcode.updated').length;
    const res = await b.server.call('POST', '/message/sendText/stall', { number: zoe.phone, text: 'into the void' }, token);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/stalled/);
    await b.waitEvent('stall', 'connection.update', (d) => d.state === 'connecting' && d.statusReason === 408);
    await waitFor(() => opens('stall') === 2, 15_000, 'open again');
    expect(b.events('stall', 'qrcode.updated')).toHaveLength(qrs);
    const again = await b.server.call('POST', '/message/sendText/stall', { number: zoe.phone, text: 'now it goes' }, token);
    expect(again.status).toBe(201);
    await zoe.waitFor('now it goes');
  });

  it('start-up restores every instance, spread out by BAILEYS_RESTORE_PER_SECOND', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-baileys-restore-'));
    try {
      const first = await startBench(FAST);
      const shared = { sim: first.sim, hook: first.hook, dir };
      await first.server.stop();
      b = await startBench(FAST, shared);
      const phones = ['15550001001', '15550001002', '15550001003', '15550001004'];
      for (const [i, phone] of phones.entries()) await b.link(`spread-${i}`, phone);
      await b.server.stop({ keepData: true });
      const restartedAt = Date.now();
      b = await startBench({ ...b.env, BAILEYS_RESTORE_PER_SECOND: '4' }, shared);
      const opened: number[] = [];
      for (const [i] of phones.entries()) opened.push((await b.waitEvent(`spread-${i}`, 'connection.update', (d) => d.state === 'open', 20_000)).at);
      opened.sort((x, y) => x - y);
      // 4 starts at 4 a second: the last one starts at least 750 ms after the first
      expect(opened.at(-1)! - opened[0]!).toBeGreaterThanOrEqual(700);
      for (const [i] of phones.entries()) expect(b.events(`spread-${i}`, 'qrcode.updated').filter((r) => r.at >= restartedAt)).toEqual([]);
      await b.server.stop();
      b = undefined;
      await first.hook.stop();
      await first.sim.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
