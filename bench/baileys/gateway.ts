import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createLogger, startServer, type RunningServer } from '../../src/server.js';

export const API_KEY = 'bench-baileys-global-key-0123';

/** A gateway in this process (the simulator's test certificate root is patched here too), on a fresh SQLite file. */
export async function startGateway(env: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'bench-baileys-'))): Promise<RunningServer & { dir: string; call(method: string, path: string, body?: unknown): Promise<any> }> {
  const config = loadConfig({ AUTHENTICATION_API_KEY: API_KEY, DATABASE_PROVIDER: 'sqlite', DATABASE_CONNECTION_URI: join(dir, 'gateway.db'), SERVER_PORT: '0', SERVER_HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const server = await startServer(config, createLogger('silent'));
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { apikey: API_KEY, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };
  return { ...server, dir, call };
}

/** Resolves once every instance of the gateway is open; returns the milliseconds it took from `since`. */
export async function allOpen(server: RunningServer, count: number, since: number, timeoutMs = 600_000): Promise<number> {
  let said = performance.now();
  for (;;) {
    const open = server.gateway.registry.all().filter((l) => l.channel.state === 'open').length;
    if (performance.now() - said > 10_000) {
      said = performance.now();
      process.stderr.write(`${Math.round((said - since) / 1000)} s: ${open} of ${count} open, ${server.gateway.registry.all().length} loaded\n`);
    }
    if (open >= count) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`only ${open} of ${count} instances open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

/** Settles the heap before a memory reading (run with --expose-gc). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 500));
  }
}
