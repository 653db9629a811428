/**
 * A real gateway in a child process (`node --import tsx src/main.ts`), for the tests that kill it (SIGKILL),
 * restart it on the same data, or watch it survive an outage. Shared by the durability and e2e suites.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns something truthy; throws after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string | (() => string), everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(everyMs);
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface CallResult {
  status: number;
  body: any;
}

export class GatewayProcess {
  /** The last 500 lines of stdout and stderr. */
  readonly logs: string[] = [];
  readonly exited: Promise<number | null>;
  /** Exit code and signal once the process has exited. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly counters: { re: RegExp; n: number }[] = [];
  private running = true;

  private constructor(readonly name: string, readonly child: ChildProcess, readonly port: number, readonly key: string) {
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.logs.push(line);
        for (const c of this.counters) if (c.re.test(line)) c.n++;
      }
      if (this.logs.length > 500) this.logs.splice(0, this.logs.length - 500);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((r) =>
      child.once('exit', (code, signal) => {
        this.running = false;
        this.exit = { code, signal };
        r(code);
      }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** False once the process has exited (crashed, killed or stopped). */
  get alive(): boolean {
    return this.running;
  }

  /**
   * Starts `src/main.ts` with exactly `env` (plus PATH, HOME, SERVER_PORT, SERVER_HOST) and waits until GET / answers 200.
   * The global key of `call` is env.AUTHENTICATION_API_KEY.
   */
  static async start(name: string, port: number, env: Record<string, string>, startTimeoutMs = 60_000): Promise<GatewayProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, SERVER_PORT: String(port), SERVER_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gw = new GatewayProcess(name, child, port, env.AUTHENTICATION_API_KEY ?? '');
    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (!gw.alive) throw new Error(`${name} exited during start-up:\n${gw.logs.join('\n')}`);
      try {
        const res = await fetch(`${gw.url}/`, { signal: AbortSignal.timeout(1000) });
        if (res.status === 200) return gw;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${name} did not answer GET / within ${startTimeoutMs} ms:\n${gw.logs.join('\n')}`);
      }
      await sleep(50);
    }
  }

  /** A request with the global key; the body is parsed as JSON when it is JSON. */
  async call(method: string, path: string, body?: unknown, timeoutMs = 15_000): Promise<CallResult> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { apikey: this.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  /** Counts the log lines matching `re` from now on (the kept log is only the last 500 lines). */
  count(re: RegExp): { readonly n: number } {
    const c = { re, n: 0 };
    this.counters.push(c);
    return c;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed, leases are not released. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Log lines at error level or above (pino level >= 50), and lines that are not JSON (stack traces, crashes). */
  errors(): string[] {
    return this.logs.filter((l) => /"level":(5\d|60)/.test(l) || !l.startsWith('{'));
  }
}

/** Creates a SANDBOX instance with a webhook, scans it as `number` and waits until it is open. */
export async function createSandboxInstance(gw: GatewayProcess, name: string, number: string, webhook: { url: string; events: string[] }): Promise<{ instanceId: string; token: string }> {
  const created = await gw.call('POST', '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook });
  if (created.status !== 201) throw new Error(`create ${name}: ${created.status} ${JSON.stringify(created.body)}`);
  const scanned = await gw.call('POST', `/sandbox/scan/${name}`, { number });
  if (scanned.status !== 200) throw new Error(`scan ${name}: ${scanned.status} ${JSON.stringify(scanned.body)}`);
  await waitOpen(gw, name);
  return { instanceId: created.body.instance.instanceId, token: created.body.hash };
}

export async function waitOpen(gw: GatewayProcess, name: string, timeoutMs = 15_000): Promise<void> {
  await until(async () => (await gw.call('GET', `/instance/connectionState/${name}`)).body?.instance?.state === 'open', timeoutMs, `${name} open`, 50);
}
