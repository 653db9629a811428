import { Curve, proto, WA_CERT_DETAILS } from 'baileys';
import { verifySignature } from 'libsignal/src/curve.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCertChain, patchWaCertificates } from '../../sim/waweb/certs.js';
import { connect, linkByQr, tempAuthDir, type AuthDir } from '../../sim/waweb/client.js';
import { startSimulator, type Simulator } from '../../sim/waweb/index.js';

const PHONE = '15550001111';

describe('the real baileys library against the simulator: login', () => {
  let sim: Simulator;
  let auth: AuthDir;

  beforeEach(async () => {
    sim = await startSimulator();
    auth = await tempAuthDir();
  });
  afterEach(async () => {
    await sim.stop();
    await auth.remove();
  });

  it('logs in by QR: pair-success, 515 restart, then <success> and connection open', async () => {
    const { client, qr } = await linkByQr(sim, PHONE, auth);
    expect(qr).toMatch(/^https:\/\/wa\.me\/settings\/linked_devices#/);
    const [companion] = sim.phone(PHONE).companions();
    expect(companion).toBeDefined();
    expect(client.sock.user?.id).toBe(companion!.jid);
    expect(client.sock.user?.lid).toBe(companion!.lid);
    // The library uploaded its prekeys once it was logged in.
    await expect.poll(() => companion!.keys?.preKeys.size ?? 0).toBeGreaterThan(0);
    expect(companion!.keys!.identity.equals(companion!.identityKey!)).toBe(true);
    // The init queries that follow 'open' (props, blocklist, privacy) were routed and answered.
    await expect.poll(() => sim.router.seen.map((r) => r.xmlns)).toEqual(expect.arrayContaining(['abt', 'blocklist', 'privacy', 'passive']));
    expect(sim.unhandled()).toEqual([]);
    client.sock.end(undefined);
    await client.closed();
    expect(sim.unanswered()).toEqual([]);
    expect(sim.errors).toEqual([]);
  });

  it('links by pairing code (requestPairingCode), then logs in with the saved creds', async () => {
    const first = await connect(sim, auth);
    // As the library documents: ask for the code once the QR would be shown.
    await first.until((u) => !!u.qr);
    const code = await first.sock.requestPairingCode(PHONE);
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const device = await sim.phone(PHONE).enterCode(code);
    expect(await first.closed()).toBe(515);
    const client = await connect(sim, auth);
    await client.until((u) => u.connection === 'open');
    expect(client.sock.user?.id).toBe(device.jid);
    client.sock.end(undefined);
    await client.closed();
    expect(sim.unanswered()).toEqual([]);
    expect(sim.errors).toEqual([]);
  });

  it('a wrong pairing code does not pair', async () => {
    const first = await connect(sim, auth);
    await first.until((u) => !!u.qr);
    const code = await first.sock.requestPairingCode(PHONE);
    const wrong = code.startsWith('A') ? `B${code.slice(1)}` : `A${code.slice(1)}`;
    await expect(sim.phone(PHONE).enterCode(wrong)).rejects.toThrow(/unsupported state|authenticate/);
    expect(sim.phone(PHONE).companions()).toEqual([]);
    first.sock.end(undefined);
    await first.closed();
    expect(sim.unanswered()).toEqual([]);
  });

  it('reconnects with its saved creds after end(), without a QR', async () => {
    const { client } = await linkByQr(sim, PHONE, auth);
    const uploaded = sim.phone(PHONE).companions()[0]!.keys!.preKeys.size;
    client.sock.end(undefined);
    await client.closed();
    const again = await connect(sim, auth);
    await again.until((u) => u.connection === 'open');
    expect(again.updates.some((u) => u.qr)).toBe(false);
    // The server still holds enough prekeys, so nothing new is uploaded.
    expect(sim.phone(PHONE).companions()[0]!.keys!.preKeys.size).toBe(uploaded);
    again.sock.end(undefined);
    await again.closed();
    expect(sim.unanswered()).toEqual([]);
    expect(sim.errors).toEqual([]);
  });
});

describe('the test certificate chain', () => {
  // The library's Curve.verify only catches throws, and libsignal's verifySignature returns
  // false instead of throwing, so the library would accept a bad signature: check strictly here.
  it('has an intermediate signed by the patched root and a leaf for the static key signed by the intermediate', () => {
    patchWaCertificates();
    const serverStatic = Curve.generateKeyPair();
    const { intermediate, leaf } = proto.CertChain.decode(makeCertChain(serverStatic.public));
    const withPrefix = (key: Uint8Array) => Buffer.concat([Buffer.from([5]), key]);
    const inter = proto.CertChain.NoiseCertificate.Details.decode(intermediate!.details!);
    const leafDetails = proto.CertChain.NoiseCertificate.Details.decode(leaf!.details!);
    expect(inter.issuerSerial).toBe(WA_CERT_DETAILS.SERIAL);
    expect(verifySignature(withPrefix(WA_CERT_DETAILS.PUBLIC_KEY), intermediate!.details!, intermediate!.signature!)).toBe(true);
    expect(verifySignature(withPrefix(inter.key!), leaf!.details!, leaf!.signature!)).toBe(true);
    expect(Buffer.from(leafDetails.key!).equals(serverStatic.public)).toBe(true);
    expect(leafDetails.issuerSerial).toBe(inter.serial);
  });
});
