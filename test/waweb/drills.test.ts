import { S_WHATSAPP_NET, WA_CERT_DETAILS } from 'baileys';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, linkByQr, tempAuthDir, type AuthDir, type Client } from '../../sim/waweb/client.js';
import { patchWaCertificates, startSimulator, type DropReason, type Simulator } from '../../sim/waweb/index.js';

const PHONE = '15550002222';

describe('failure drills against the real baileys library', () => {
  let sim: Simulator;
  let auth: AuthDir;
  let jid: string;

  beforeAll(async () => {
    sim = await startSimulator();
    auth = await tempAuthDir();
    const { client } = await linkByQr(sim, PHONE, auth);
    jid = client.sock.user!.id;
    client.sock.end(undefined);
    await client.closed();
  });
  afterAll(async () => {
    await sim.stop();
    await auth.remove();
  });

  // Drills that leave IQs unanswered on purpose must not leak into the next test.
  afterEach(() => sim.router.clearRecords());

  const open = async (): Promise<Client> => {
    const client = await connect(sim, auth);
    await client.until((u) => u.connection === 'open');
    return client;
  };

  it.each<[DropReason, string]>([
    [401, 'stream:error code 401 (device_removed)'],
    [408, 'stream:error code 408'],
    [428, 'the server closes the socket'],
    [440, 'stream:error conflict replaced'],
    [500, 'stream:error without a code (bad session)'],
    [515, 'stream:error code 515 (restart required)'],
  ])('drop %i: %s', async (reason) => {
    const client = await open();
    await sim.drop(jid, reason);
    expect(await client.closed()).toBe(reason);
    expect(sim.unanswered()).toEqual([]);
    expect(sim.errors).toEqual([]);
  });

  it('an IQ left unanswered on purpose is reported, and the library times out on it', async () => {
    const client = await open();
    sim.router.ignoreNext({ xmlns: 'w:p', type: 'get' });
    // A fresh node each time: query() writes the id into the node it is given.
    const ping = () => ({ tag: 'iq', attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] });
    const outcome = await client.sock.query(ping(), 500).then(
      (reply) => (reply ? 'answered' : 'no reply'),
      (error: Error) => `rejected: ${error.message}`,
    );
    expect(outcome).not.toBe('answered');
    expect(sim.unanswered()).toEqual([expect.objectContaining({ xmlns: 'w:p', type: 'get', child: 'ping' })]);
    // The next ping is answered again.
    expect(await client.sock.query(ping(), 2_000)).toMatchObject({ tag: 'iq', attrs: { type: 'result' } });
    client.sock.end(undefined);
    await client.closed();
    expect(sim.unanswered()).toHaveLength(1);
  });

  it('an unanswered login IQ (passive) keeps the connection from opening', async () => {
    sim.router.ignoreNext({ xmlns: 'passive', type: 'set' });
    const client = await connect(sim, auth);
    await expect(client.until((u) => u.connection === 'open', 2_000)).rejects.toThrow(/no matching/);
    expect(sim.unanswered()).toEqual([expect.objectContaining({ xmlns: 'passive', child: 'active' })]);
    await sim.drop(jid, 428);
    expect(await client.closed()).toBe(428);
  });

  it('a second login of the same device replaces the first one (440)', async () => {
    const first = await open();
    const second = await open();
    expect(await first.closed()).toBe(440);
    expect(second.updates.some((u) => u.connection === 'close')).toBe(false);
    second.sock.end(undefined);
    await second.closed();
    expect(sim.unanswered()).toEqual([]);
  });

  it('the phone unlinks the companion: 401 now, and 401 again on the next login', async () => {
    const client = await open();
    await sim.phone(PHONE).removeCompanion(jid);
    expect(await client.closed()).toBe(401);
    expect(sim.phone(PHONE).companions()).toEqual([]);
    const again = await connect(sim, auth);
    expect(await again.closed()).toBe(401);
    expect(sim.unanswered()).toEqual([]);
  });

  it('the companion logs itself out (remove-companion-device): 401, unlinked, 401 on the next login', async () => {
    const other = await tempAuthDir();
    const { client } = await linkByQr(sim, PHONE, other);
    const device = client.sock.user!.id;
    await client.sock.logout();
    expect(await client.closed()).toBe(401);
    expect(sim.registry.device(device)).toBeUndefined();
    const again = await connect(sim, other);
    expect(await again.closed()).toBe(401);
    expect(sim.unanswered()).toEqual([]);
    await other.remove();
  });

  it('a library expecting another root serial refuses the server before any QR', async () => {
    WA_CERT_DETAILS.SERIAL = 12345;
    try {
      const fresh = await tempAuthDir();
      const client = await connect(sim, fresh);
      const closed = await client.until((u) => u.connection === 'close');
      expect(String(closed.lastDisconnect?.error)).toMatch(/certification match failed/);
      expect(client.updates.some((u) => u.qr)).toBe(false);
      expect(sim.unanswered()).toEqual([]);
      await fresh.remove();
    } finally {
      patchWaCertificates();
    }
  });
});
