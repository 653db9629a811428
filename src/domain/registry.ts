import type { Channel } from '../channels/channel.js';
import type { ChannelDriver } from '../channels/driver.js';
import type { Instance, Settings, WebhookConfig } from './types.js';
import type { EventSource } from '../events/bus.js';
import type { IngestQueue } from './ingest/queue.js';
import type { IngestWork } from './ingest/writer.js';
import { EarlyUpdates } from './ingest/earlyUpdates.js';
import type { TransportSetting } from '../storage/eventTransportRepository.js';
import { secretMatchesDigest, sha256Hex } from '../security/secrets.js';

/** An instance loaded in this process: its row, cached config, its channel and driver, and its ordered ingest queue. */
export class LiveInstance {
  channel!: Channel;
  driver!: ChannelDriver;
  /** Everything the channel reports and every send record, in order, committed in batches. */
  ingest!: IngestQueue<IngestWork>;
  readonly earlyUpdates = new EarlyUpdates();
  deleteTimer?: NodeJS.Timeout;
  /** Event-transport settings by kind (rabbitmq, nats, ...), as stored. */
  transports = new Map<string, TransportSetting>();

  constructor(public instance: Instance, public settings: Settings, public webhook: WebhookConfig | undefined) {}

  get name(): string {
    return this.instance.name;
  }

  get id(): string {
    return this.instance.id;
  }

  get eventSource(): EventSource {
    return { instanceId: this.instance.id, instanceName: this.instance.name, sender: this.instance.ownerJid ?? undefined, token: this.instance.token };
  }
}

/** The in-memory map of live instances: one channel object per instance. */
export class InstanceRegistry {
  private readonly byName = new Map<string, LiveInstance>();
  private readonly byId = new Map<string, LiveInstance>();

  add(live: LiveInstance): void {
    this.byName.set(live.name, live);
    this.byId.set(live.id, live);
  }

  remove(live: LiveInstance): void {
    this.byName.delete(live.name);
    this.byId.delete(live.id);
  }

  get(name: string): LiveInstance | undefined {
    return this.byName.get(name);
  }

  getById(id: string): LiveInstance | undefined {
    return this.byId.get(id);
  }

  all(): LiveInstance[] {
    return [...this.byName.values()];
  }

  /** Whether `key` is this instance's token (constant-time). */
  tokenMatches(live: LiveInstance, key: string): boolean {
    return secretMatchesDigest(key, Buffer.from(live.instance.tokenHash, 'hex'));
  }

  /** Instances whose token is `key` (hash lookup, then constant-time confirmation). */
  byToken(key: string): LiveInstance[] {
    const hash = sha256Hex(key);
    return this.all().filter((l) => l.instance.tokenHash === hash && this.tokenMatches(l, key));
  }
}
