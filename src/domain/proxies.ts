import { ProxyAgent, request, type Dispatcher } from 'undici';
import { socksDispatcher } from 'fetch-socks';
import type { Logger } from 'pino';
import type { Repositories } from '../storage/repositories.js';
import type { ProxyProtocol, ProxyRow, ProxySettings } from '../storage/proxyRepository.js';
import { AddressRefused, assertAllowedHost, guardedLookup, type GuardOptions } from '../security/addressGuard.js';
import { badRequest } from './errors.js';

export const PROXY_PROTOCOLS: readonly ProxyProtocol[] = ['http', 'https', 'socks4', 'socks5'];

/** What stands in for a stored password in every answer: the password itself never leaves the server. */
export const MASKED_PASSWORD = '********';

export interface ProxyServiceDeps {
  repos: Repositories;
  probe: { url: string; timeoutMs: number };
  /** MEDIA_URL_ALLOW_PRIVATE: whether the proxy may sit on loopback or a private network. */
  allowPrivate: boolean;
  logger?: Logger;
}

/**
 * The undici dispatcher that carries an instance's outbound HTTP through its proxy. An HTTP(S) proxy's address is
 * checked again when each connection opens (the guard's lookup), so a name that later resolves elsewhere cannot slip by.
 */
export function proxyDispatcher(p: Pick<ProxySettings, 'host' | 'port' | 'protocol' | 'username' | 'password'>, guard: GuardOptions): Dispatcher {
  const port = Number(p.port);
  const bare = p.host.replace(/^\[|\]$/g, '');
  if (p.protocol === 'socks4' || p.protocol === 'socks5') {
    return socksDispatcher({ type: p.protocol === 'socks4' ? 4 : 5, host: bare, port, ...(p.username ? { userId: p.username } : {}), ...(p.password ? { password: p.password } : {}) });
  }
  const host = bare.includes(':') ? `[${bare}]` : bare;
  const token = p.username ? `Basic ${Buffer.from(`${p.username}:${p.password}`).toString('base64')}` : undefined;
  return new ProxyAgent({ uri: `${p.protocol}://${host}:${port}`, ...(token ? { token } : {}), proxyTls: { lookup: guardedLookup(guard) } as ProxyAgent.Options['proxyTls'] });
}

/** Whether a request through the dispatcher reaches `url` and gets any answer within the timeout. */
export async function probeThrough(dispatcher: Dispatcher, url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await request(url, { dispatcher, signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.dump();
    return true;
  } catch {
    return false;
  }
}

/** The proxy settings as an answer shows them: the password masked. */
export function maskProxy<T extends { password: string }>(p: T): T {
  return { ...p, password: p.password ? MASKED_PASSWORD : '' };
}

const gatewayServices = new WeakMap<Repositories, ProxyService>();

/**
 * /proxy/set and /proxy/find, and the dispatcher each instance's outbound HTTP goes through (`dispatcherFor`).
 * A proxy is tested for real before it is stored: a request through it to the probe URL must get an answer.
 */
export class ProxyService {
  private readonly dispatchers = new Map<string, Promise<Dispatcher | undefined>>();
  /** Sets of one instance run one after another, so the stored proxy and the dispatcher in use always agree. */
  private readonly setting = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ProxyServiceDeps) {}

  /** The one ProxyService of a gateway (its routes and its media loader share the dispatchers). */
  static of(deps: ProxyServiceDeps): ProxyService {
    let service = gatewayServices.get(deps.repos);
    if (!service) gatewayServices.set(deps.repos, (service = new ProxyService(deps)));
    return service;
  }

  /** Stores the instance's proxy after testing it; `enabled:false` clears it, as upstream does. */
  set(instanceId: string, input: ProxySettings): Promise<ProxySettings> {
    const run = (this.setting.get(instanceId) ?? Promise.resolve()).then(() => this.apply(instanceId, input));
    const tail = run.catch(() => undefined);
    this.setting.set(instanceId, tail);
    void tail.then(() => this.setting.get(instanceId) === tail && this.setting.delete(instanceId));
    return run;
  }

  private async apply(instanceId: string, input: ProxySettings): Promise<ProxySettings> {
    const settings: ProxySettings = input.enabled
      ? { enabled: true, host: input.host.trim(), port: String(input.port).trim(), protocol: input.protocol.trim().toLowerCase(), username: input.username ?? '', password: input.password ?? '' }
      : { enabled: false, host: '', port: '', protocol: '', username: '', password: '' };
    let dispatcher: Dispatcher | undefined;
    if (settings.enabled) dispatcher = await this.tested(settings);
    try {
      await this.deps.repos.proxies.upsert(instanceId, settings);
    } catch (e) {
      await dispatcher?.close().catch(() => undefined);
      throw e;
    }
    const previous = this.dispatchers.get(instanceId);
    this.dispatchers.set(instanceId, Promise.resolve(dispatcher));
    void previous?.then((d) => d?.close()).catch(() => undefined);
    this.deps.logger?.info({ instanceId, enabled: settings.enabled, protocol: settings.protocol, host: settings.host, port: settings.port }, 'proxy set');
    return settings;
  }

  /** The stored Proxy row (password masked), or null. */
  async find(instanceId: string): Promise<ProxyRow | null> {
    const row = await this.deps.repos.proxies.find(instanceId);
    return row ? maskProxy(row) : null;
  }

  /** The stored rows of these instances (passwords masked), by instance id. */
  async findMany(instanceIds: string[]): Promise<Map<string, ProxyRow>> {
    const rows = await this.deps.repos.proxies.findMany(instanceIds);
    return new Map([...rows].map(([id, row]) => [id, maskProxy(row)]));
  }

  /**
   * The dispatcher for the instance's outbound HTTP: through its proxy when one is enabled, else undefined (direct).
   * Rejects (AddressRefused) when the stored proxy's host now resolves where the address guard refuses.
   */
  dispatcherFor(instanceId: string): Promise<Dispatcher | undefined> {
    let d = this.dispatchers.get(instanceId);
    if (!d) {
      d = this.deps.repos.proxies.find(instanceId).then(async (row) => {
        if (!row?.enabled) return undefined;
        await assertAllowedHost(row.host, this.guard);
        return proxyDispatcher(row, this.guard);
      });
      this.dispatchers.set(instanceId, d);
      d.catch(() => this.dispatchers.delete(instanceId));
    }
    return d;
  }

  /** Forgets an instance's dispatcher (instance deleted). */
  forget(instanceId: string): void {
    const d = this.dispatchers.get(instanceId);
    this.dispatchers.delete(instanceId);
    void d?.then((x) => x?.close()).catch(() => undefined);
  }

  private get guard(): GuardOptions {
    return { allowPrivate: this.deps.allowPrivate };
  }

  private async tested(p: ProxySettings): Promise<Dispatcher> {
    const port = Number(p.port);
    if (!p.host || !PROXY_PROTOCOLS.includes(p.protocol as ProxyProtocol) || !/^\d{1,5}$/.test(p.port) || port < 1 || port > 65535) throw badRequest('Invalid proxy');
    try {
      await assertAllowedHost(p.host, this.guard);
    } catch (e) {
      if (e instanceof AddressRefused) throw badRequest('Invalid proxy', e.message);
      throw e;
    }
    const dispatcher = proxyDispatcher(p, this.guard);
    if (await probeThrough(dispatcher, this.deps.probe.url, this.deps.probe.timeoutMs)) return dispatcher;
    await dispatcher.close().catch(() => undefined);
    throw badRequest('Invalid proxy');
  }
}

/** The ProxyService of a gateway, from its parts (the same object for its routes and its outbound HTTP). */
export function proxyServiceOf(gateway: { repos: Repositories; config: { proxy: { probeUrl: string; probeTimeoutMs: number }; media: { allowPrivateUrls: boolean } }; logger?: Logger }): ProxyService {
  return ProxyService.of({
    repos: gateway.repos,
    probe: { url: gateway.config.proxy.probeUrl, timeoutMs: gateway.config.proxy.probeTimeoutMs },
    allowPrivate: gateway.config.media.allowPrivateUrls,
    ...(gateway.logger ? { logger: gateway.logger } : {}),
  });
}
