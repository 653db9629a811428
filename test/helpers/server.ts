import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer, createLogger, type RunningServer } from '../../src/server.js';

export const GLOBAL_KEY = 'test-global-key-0123456789';

export interface TestServer extends Omit<RunningServer, 'stop'> {
  /** Stops the server; its data directory is removed unless `keepData` (to restart on the same data). */
  stop(options?: { keepData?: boolean }): Promise<void>;
  key: string;
  dir: string;
  env: Record<string, string>;
  /** fetch against the server with the global key unless `apikey` is given (null = no key). */
  call(method: string, path: string, body?: unknown, apikey?: string | null, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

/** Starts a real gateway on 127.0.0.1 with a fresh SQLite file (or the given database) and silent logs. */
export async function startTestServer(env: Record<string, string> = {}, dir?: string): Promise<TestServer> {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'gw-test-'));
  const fullEnv: Record<string, string> = {
    AUTHENTICATION_API_KEY: GLOBAL_KEY,
    DATABASE_PROVIDER: 'sqlite',
    DATABASE_CONNECTION_URI: join(dataDir, 'gateway.db'),
    SERVER_PORT: '0',
    SERVER_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    SANDBOX_ACK_DELAY_MS: '1',
    WEBHOOK_RETRY_INITIAL_DELAY_SECONDS: '0.05',
    WEBHOOK_RETRY_MAX_DELAY_SECONDS: '0.2',
    ...env,
  };
  const config = loadConfig(fullEnv);
  const server = await startServer(config, createLogger(config.logLevel));
  const call: TestServer['call'] = async (method, path, body, apikey, headers = {}) => {
    const h: Record<string, string> = { ...headers };
    const key = apikey === undefined ? GLOBAL_KEY : apikey;
    if (key !== null) h.apikey = key;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${server.url}${path}`, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...server,
    key: GLOBAL_KEY,
    dir: dataDir,
    env: fullEnv,
    call,
    stop: async (options = {}) => {
      await server.stop();
      if (!dir && !options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a sandbox instance, connects it and scans its QR as `number`. Returns its token. */
export async function connectedSandbox(server: TestServer, name: string, number: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await server.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, ...extra });
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const scanned = await server.call('POST', `/sandbox/scan/${name}`, { number });
  if (scanned.status !== 200) throw new Error(`scan ${name}: ${scanned.status} ${JSON.stringify(scanned.body)}`);
  return created.body.hash as string;
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
