import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import makeWASocket, { useMultiFileAuthState, type ConnectionState, type UserFacingSocketConfig, type WASocket } from 'baileys';
import pino from 'pino';
import type { Simulator } from './simulator.js';

/**
 * Test-side helpers that drive the real, unmodified library against a simulator:
 * default options except the socket URL and a silent logger.
 */

export interface AuthDir {
  dir: string;
  remove(): Promise<void>;
}

export const tempAuthDir = async (): Promise<AuthDir> => {
  const dir = await mkdtemp(join(tmpdir(), 'waweb-auth-'));
  // Retries: the library may still be writing keys (creds.update saves are not awaited).
  return { dir, remove: () => rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }) };
};

export interface Client {
  sock: WASocket;
  /** Every `connection.update` so far, in order. */
  updates: Partial<ConnectionState>[];
  /** Resolves with the first update that satisfies `pred` (including past ones). */
  until(pred: (u: Partial<ConnectionState>) => boolean, timeoutMs?: number): Promise<Partial<ConnectionState>>;
  /** The status code the library reported when it closed, once it did. */
  closed(timeoutMs?: number): Promise<number | undefined>;
}

/** `config`: what a test adds to the defaults, e.g. the media `fetchAgent`. */
export const connect = async (sim: Simulator, auth: AuthDir, config: Partial<UserFacingSocketConfig> = {}): Promise<Client> => {
  const { state, saveCreds } = await useMultiFileAuthState(auth.dir);
  const sock = makeWASocket({ waWebSocketUrl: sim.url, auth: state, logger: pino({ level: 'silent' }), ...config });
  sock.ev.on('creds.update', () => void saveCreds());
  const updates: Partial<ConnectionState>[] = [];
  const listeners = new Set<() => void>();
  sock.ev.on('connection.update', (u) => {
    updates.push(u);
    for (const l of listeners) l();
  });
  const until: Client['until'] = (pred, timeoutMs = 15_000) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const hit = updates.find(pred);
        if (!hit) return;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`no matching connection.update in ${timeoutMs} ms: ${JSON.stringify(updates.map(summary))}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  const closed: Client['closed'] = async (timeoutMs) => {
    const u = await until((x) => x.connection === 'close', timeoutMs);
    return statusOf(u);
  };
  return { sock, updates, until, closed };
};

export const statusOf = (u: Partial<ConnectionState>): number | undefined =>
  (u.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)?.output?.statusCode;

const summary = (u: Partial<ConnectionState>) => ({
  connection: u.connection,
  qr: u.qr ? 'yes' : undefined,
  status: statusOf(u),
  isNewLogin: u.isNewLogin,
});

/**
 * Links a new companion to `phone` the way a user does: waits for the QR, has the phone
 * scan it, lets the library close on the 515 restart, and reconnects with the saved creds.
 * Returns the reconnected (open) client.
 */
export const linkByQr = async (
  sim: Simulator,
  phoneNumber: string,
  auth: AuthDir,
  config: Partial<UserFacingSocketConfig> = {},
): Promise<{ first: Client; client: Client; qr: string }> => {
  const first = await connect(sim, auth, config);
  const { qr } = await first.until((u) => !!u.qr);
  await sim.phone(phoneNumber).scan(qr!);
  const code = await first.closed();
  if (code !== 515) throw new Error(`expected the 515 restart after pairing, got ${code}`);
  const client = await connect(sim, auth, config);
  await client.until((u) => u.connection === 'open');
  return { first, client, qr: qr! };
};
