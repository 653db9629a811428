import { BlockList, isIP, type LookupFunction } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, type Dispatcher } from 'undici';
import { badRequest } from '../domain/errors.js';

/**
 * Which addresses a URL given through the API may reach. Link-local and cloud-metadata addresses are never reachable
 * (an instance token must not be able to read the cloud's credentials); loopback and private ranges only when
 * `allowPrivate` (MEDIA_URL_ALLOW_PRIVATE, default true: the parent hub serves media from its own host).
 */
export interface GuardOptions {
  allowPrivate: boolean;
}

export class AddressRefused extends Error {
  constructor(readonly target: string, readonly reason: 'metadata' | 'link-local' | 'private' | 'scheme' | 'unresolvable') {
    super(`The address of ${target} is not allowed (${reason})`);
  }
}

const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254', 'ipv4');
METADATA.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud
METADATA.addAddress('fd00:ec2::254', 'ipv6'); // AWS over IPv6

const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');

const PRIVATE = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['198.18.0.0', 15]] as const) PRIVATE.addSubnet(net, bits, 'ipv4');
PRIVATE.addAddress('::', 'ipv6');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);

/** An IPv4-mapped or -compatible IPv6 address (::ffff:10.0.0.1) is judged as the IPv4 address inside it. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^(?:0*:)*(?:0*:)?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (mapped) return { address: mapped[1]!, family: 'ipv4' };
  const hexMapped = /^(?:0*:)*ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(bare);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16);
    const lo = parseInt(hexMapped[2]!, 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: bare, family: isIP(bare) === 6 ? 'ipv6' : 'ipv4' };
}

/** Why an IP address is refused, or undefined when it is allowed. */
export function refusalOf(ip: string, opts: GuardOptions): AddressRefused['reason'] | undefined {
  const { address, family } = normalize(ip);
  if (METADATA.check(address, family)) return 'metadata';
  if (LINK_LOCAL.check(address, family)) return 'link-local';
  if (!opts.allowPrivate && PRIVATE.check(address, family)) return 'private';
  return undefined;
}

/** Throws AddressRefused when the IP address is not allowed. */
export function assertAllowedAddress(ip: string, opts: GuardOptions, target = ip): void {
  const reason = refusalOf(ip, opts);
  if (reason) throw new AddressRefused(target, reason);
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
}

/** Resolves the host (every answer) and throws AddressRefused when any answer is not allowed. */
export async function assertAllowedHost(host: string, opts: GuardOptions): Promise<void> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (METADATA_HOSTS.has(bare.toLowerCase().replace(/\.$/, ''))) throw new AddressRefused(host, 'metadata');
  if (isIP(bare)) return assertAllowedAddress(bare, opts, host);
  let answers: LookupAddress[];
  try {
    answers = await resolveAll(bare);
  } catch {
    throw new AddressRefused(host, 'unresolvable');
  }
  for (const a of answers) assertAllowedAddress(a.address, opts, host);
}

/** Checks an http(s) URL the API was given (webhook, media, proxy, bot endpoint): its scheme and its host's addresses. */
export async function assertAllowedUrl(url: string, opts: GuardOptions): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AddressRefused(url, 'scheme');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new AddressRefused(url, 'scheme');
  await assertAllowedHost(parsed.hostname, opts);
  return parsed;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for sockets that refuses disallowed answers at connect time: the address checked is the address
 * connected to, so a DNS answer that changes between the check and the connection (rebinding) cannot slip through.
 */
export function guardedLookup(opts: GuardOptions): LookupFunction {
  const lookup = (hostname: string, options: { all?: boolean; family?: number } | number, callback: LookupCallback): void => {
    if (METADATA_HOSTS.has(hostname.toLowerCase().replace(/\.$/, ''))) return callback(Object.assign(new AddressRefused(hostname, 'metadata'), { code: 'EADDRREFUSED' }), '');
    const all = typeof options === 'object' && options.all === true;
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '');
      for (const a of addresses) {
        const reason = refusalOf(a.address, opts);
        if (reason) return callback(Object.assign(new AddressRefused(hostname, reason), { code: 'EADDRREFUSED' }), '');
      }
      if (all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
  return lookup as unknown as LookupFunction;
}

/** An undici dispatcher whose connections go only to allowed addresses. IP literals never reach `lookup`: check URLs with assertAllowedUrl too. */
export function guardedDispatcher(opts: GuardOptions, agentOptions: Agent.Options = {}): Dispatcher {
  const lookup = guardedLookup(opts);
  return new Agent({ ...agentOptions, connect: { ...(agentOptions.connect as object | undefined), lookup } });
}

/** The AddressRefused inside an undici/socket error chain, if that is why it failed. */
export function addressRefusalIn(err: unknown): AddressRefused | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AddressRefused) return e;
  }
  return undefined;
}

/**
 * For URLs a tenant sets through the API (webhooks, bot endpoints): a refused address becomes the client's 400 in
 * upstream's shape. A host that does not resolve yet is accepted; delivery checks it again when it connects.
 */
export async function assertTenantUrl(url: string, opts: GuardOptions, what = 'webhook'): Promise<void> {
  try {
    await assertAllowedUrl(url, opts);
  } catch (err) {
    if (!(err instanceof AddressRefused) || err.reason === 'unresolvable') return;
    throw badRequest(err.reason === 'scheme' ? `Invalid "url" property in ${what}` : `The ${what} URL is not allowed: ${err.target} (${err.reason} address)`);
  }
}
