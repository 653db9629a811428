import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_KEY, freePort } from '../suite/process.js';
import { freshDatabase } from '../delivery.js';
import { cpuMicros } from './stats.js';

export { BENCH_KEY };

/** A node process under test: its URL and its CPU time so far. */
export interface Child {
  url: string;
  pid: number;
  cpuMicros(): number;
  /** CPU time of its main thread only (the event loop: what limits a single-threaded server). */
  mainCpuMicros(): number;
  stop(): Promise<void>;
}

export const DEFAULT_SERVER = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const floorScript = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));

/** Spawns `node script` with `env` and waits until GET / answers (any status). */
async function spawnNode(script: string, env: Record<string, string>, port: number, onStop?: () => Promise<void>, execArgs: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...execArgs, script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${script} did not answer within 60 s`);
    try {
      await (await fetch(url)).arrayBuffer();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid!,
    cpuMicros: () => cpuMicros(child.pid!),
    mainCpuMicros: () => cpuMicros(child.pid!, child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      await onStop?.();
    },
  };
}

/** Variables of this environment passed on to the gateway (WEBHOOK_*, SANDBOX_*, DATABASE_SQLITE_*), to try settings from the command line. */
function passthrough(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => /^(WEBHOOK|SANDBOX|DATABASE_SQLITE)_/.test(e[0]) && e[1] !== undefined));
}

/**
 * The built gateway (`server` = a dist/src/main.js) on a fresh database: SQLite in a new temp dir, or PostgreSQL with
 * `pg`. With `profileDir`, it runs under `--cpu-prof` (one .cpuprofile per thread, written when it stops); `nodeArgs`
 * are node options put before the script (e.g. V8 heap flags, to try them).
 */
export async function startGateway(server: string, pg?: string, profileDir?: string, nodeArgs: string[] = []): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-path-'));
  const db = await freshDatabase({ pg }, dir, 'path');
  const port = await freePort();
  const env = {
    ...passthrough(),
    AUTHENTICATION_API_KEY: BENCH_KEY,
    SERVER_PORT: String(port),
    SERVER_HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    DATABASE_PROVIDER: db.provider,
    DATABASE_CONNECTION_URI: db.uri,
  };
  const profile = [...nodeArgs, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  return spawnNode(
    server,
    env,
    port,
    async () => {
      await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
    profile,
  );
}

/** The do-nothing relay floor of the inbound flood (relay.ts). */
export async function startRelay(receiverUrl: string, connections: number, answerBytes = 300): Promise<Child> {
  const port = await freePort();
  return spawnNode(floorScript('relay'), { PORT: String(port), RECEIVER_URL: receiverUrl, CONNECTIONS: String(connections), ANSWER_BYTES: String(answerBytes) }, port);
}

/** The bare Fastify floor of sendText (bareFastify.ts), answering a JSON body of about `answerBytes`. */
export async function startBareFastify(answerBytes: number): Promise<Child> {
  const port = await freePort();
  return spawnNode(floorScript('bareFastify'), { PORT: String(port), ANSWER_BYTES: String(answerBytes) }, port);
}
