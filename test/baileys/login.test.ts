import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/server.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';
const ME = `${PHONE}@s.whatsapp.net`;

describe('WHATSAPP-BAILEYS through the gateway, on the WhatsApp Web simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench | undefined;
  afterEach(async () => {
    await b?.stop();
    b = undefined;
  });

  it('QR in the create answer and in qrcode.updated; the phone scans it; the instance goes open', async () => {
    b = await startBench();
    const created = await b.create('login');
    expect(created.qrcode).toMatchObject({ pairingCode: null, count: 1 });
    expect(created.qrcode.code).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    expect(created.qrcode.base64).toMatch(/^data:image\/png;base64,/);
    const shown = await b.waitEvent('login', 'qrcode.updated');
    expect(shown.body.data.qrcode).toMatchObject({ instance: 'login', code: created.qrcode.code, base64: created.qrcode.base64, pairingCode: null });
    expect(await b.state('login')).toBe('connecting');
    const again = await b.server.call('GET', '/instance/connect/login');
    expect(again.body).toMatchObject({ code: created.qrcode.code, count: 1 });

    await b.sim.phone(PHONE).scan(created.qrcode.code);
    const open = await b.waitEvent('login', 'connection.update', (d) => d.state === 'open', 20_000);
    expect(open.body.data).toMatchObject({ instance: 'login', state: 'open', statusReason: 200, wuid: ME });
    expect(await b.state('login')).toBe('open');
    const fetched = (await b.server.call('GET', '/instance/fetchInstances?instanceName=login')).body[0];
    expect(fetched).toMatchObject({ connectionStatus: 'open', ownerJid: ME, integration: 'WHATSAPP-BAILEYS' });
    // The companion the library registered is the one the phone linked.
    expect(b.sim.phone(PHONE).companions()).toHaveLength(1);
    expect(b.sim.errors).toEqual([]);
  });

  it('after a server restart the instance comes back open without a QR, on the keys the library wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-baileys-'));
    try {
      b = await startBench({}, undefined);
      const first = b;
      // a second bench on the same data needs the same simulator and receiver
      const shared = { sim: first.sim, hook: first.hook, dir };
      await first.server.stop();
      b = await startBench({}, shared);
      await b.link('restart', PHONE);
      const companion = b.sim.phone(PHONE).companions()[0]!;
      // the library's signal keys are in the database (pre-keys, LID mapping...), not in files
      const rows = await b.server.gateway.db.kysely.selectFrom('channelKeys').select(['type']).execute();
      expect(new Set(rows.map((r) => r.type))).toContain('pre-key');
      // sealed at rest: no stored value is readable JSON
      const raw = await b.server.gateway.db.kysely.selectFrom('channelAuth').select(['data']).execute();
      expect(raw[0]!.data.startsWith('v1.')).toBe(true);
      await b.server.stop({ keepData: true });

      const restartedAt = Date.now();
      b = await startBench(b.env, shared);
      await b.waitEvent('restart', 'connection.update', (d) => d.state === 'open', 20_000);
      expect(b.events('restart', 'qrcode.updated').filter((r) => r.at >= restartedAt)).toEqual([]);
      // the same linked device logged in again: same companion, no new pairing
      expect(b.sim.phone(PHONE).companions().map((c) => c.jid)).toEqual([companion.jid]);
      await b.server.stop();
      b = undefined;
      await first.hook.stop();
      await first.sim.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops showing QRs after QRCODE_LIMIT, with the upstream event', async () => {
    b = await startBench({ QRCODE_LIMIT: '2', QRCODE_REFRESH_MS: '200' });
    await b.create('limit');
    await b.waitEvent('limit', 'qrcode.updated', (d) => d.message === 'QR code limit reached, please login again', 15_000);
    const qrs = b.events('limit', 'qrcode.updated').filter((r) => r.body.data.qrcode);
    expect(qrs).toHaveLength(2);
    await waitFor(async () => (await b!.state('limit')) === 'close', 5000, 'closed');
  });
});
