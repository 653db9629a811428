import { readFileSync } from 'node:fs';
import type { proto } from 'baileys';
import pino, { type Logger } from 'pino';
import type { MediaSource } from '../content.js';
import type { DriverServices } from '../driver.js';
import type { Metrics } from '../../observability/metrics.js';
import type { BaileysConfig } from '../../config.js';
import { ChannelError } from '../errors.js';
import { StartPacer } from './pacer.js';
import type { ReconnectPolicy } from './reconnect.js';
import type { SocketSettings } from './socket.js';
import { messageFromJson } from './protoJson.js';
import { networkFor, type Network } from './network.js';

const SILENT = pino({ level: 'silent' });

export interface RuntimeSettings extends SocketSettings {
  qrLimit: number;
  qrColor: string;
  sendTimeoutMs: number;
  ackTimeoutMs: number;
}

/** What every Baileys channel of the server shares: settings, the start pacer, and the gateway's services. */
export class BaileysRuntime {
  readonly pacer: StartPacer;
  readonly policy: ReconnectPolicy;
  private services: DriverServices | undefined;
  private readonly extraCa: string | undefined;

  constructor(readonly settings: RuntimeSettings, config: BaileysConfig) {
    this.pacer = new StartPacer(config.restorePerSecond);
    this.policy = { maxFailures: config.maxFailures, baseDelayMs: config.reconnectBaseMs, maxDelayMs: config.reconnectMaxMs };
    this.extraCa = config.extraCaFile ? readFileSync(config.extraCaFile, 'utf8') : undefined;
  }

  attach(services: DriverServices): void {
    this.services = services;
  }

  get logger(): Logger {
    return this.services?.logger ?? SILENT;
  }

  get metrics(): Metrics | undefined {
    return this.services?.metrics;
  }

  /** The library logs at warn and above, as the instance's child logger: its info level is a firehose. */
  libraryLogger(instance: string): pino.Logger {
    const parent = this.logger;
    const child = parent.child({ instance, component: 'baileys' });
    child.level = parent.level === 'silent' ? 'silent' : 'warn';
    return child;
  }

  async mediaBytes(source: MediaSource): Promise<Buffer> {
    const bytes = await this.services?.media.readAll(source.storageKey);
    if (!bytes) throw new ChannelError('The media to send is no longer in the media store');
    return bytes;
  }

  /** The stored content of a message, for the library's retries (recipients then never see "waiting for this message"). */
  async storedMessage(instanceId: string, keyId: string): Promise<proto.IMessage | undefined> {
    const stored = await this.services?.repos.messages.findByKeyId(instanceId, keyId).catch(() => undefined);
    if (!stored) return undefined;
    const { mediaUrl: _url, base64: _bytes, ...content } = stored.message;
    return messageFromJson(content);
  }

  /** The name stored for a contact (its push name), for profile lookups. */
  async contactName(instanceId: string, jid: string): Promise<string | null> {
    const [row] = (await this.services?.repos.contacts.find(instanceId, jid).catch(() => [])) ?? [];
    return row?.pushName ?? null;
  }

  /** The instance's proxy and the extra CA, as the library's agents. */
  async network(instanceId: string): Promise<Network | undefined> {
    const proxy = await this.services?.repos.proxies.find(instanceId).catch(() => null);
    return networkFor(proxy?.enabled ? proxy : undefined, this.extraCa);
  }
}
