import Pusher from 'pusher';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { SecretBox } from '../../security/secrets.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import { buildEnvelope } from '../envelope.js';
import { SealCache } from '../outbox/sealCache.js';
import type { Route } from '../outbox/store.js';
import type { AttemptResult, DeliveryLimits, OutboxTransport, Verdict } from '../outbox/transport.js';
import type { EventTransportsConfig, PusherApp } from './config.js';
import { within } from './connection.js';
import { selects, type BusContext } from './routing.js';

type Config = EventTransportsConfig['pusher'];

/** Pusher's own limit on an event's data. */
const MAX_DATA = 10_240;

/** The webhook envelope with `destination` = the app id, and without `data.qrcode.base64` (as upstream, on a copy). */
function pusherBody(event: GatewayEvent, ctx: BusContext, appId: string): string {
  const envelope = buildEnvelope(event, ctx.envelope, appId);
  const data = envelope.data as { qrcode?: Record<string, unknown> } | null;
  if (event.event === 'qrcode.updated' && data?.qrcode && 'base64' in data.qrcode) {
    const { base64: _drop, ...qrcode } = data.qrcode;
    envelope.data = { ...data, qrcode };
  }
  return JSON.stringify(envelope);
}

/**
 * Channel = the instance name, event name = the event. Per instance with the app credentials of its setting, globally
 * with PUSHER_GLOBAL_*; the credentials travel sealed in the row's options.
 */
export function pusherRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  return (event) => {
    const on = selects(ctx, 'pusher', config, event);
    const apps: PusherApp[] = [];
    if (on.instance) apps.push(ctx.settingOf(event.instanceId, 'pusher')!.settings as unknown as PusherApp);
    if (on.global && config.app) apps.push(config.app);
    return apps.map((app) => {
      const { appId, key, secret, cluster, useTLS } = app;
      return { kind: 'pusher', target: event.instanceName, body: pusherBody(event, ctx, appId), options: { appId, key, cluster, useTLS: String(useTLS) }, secret };
    });
  };
}

/**
 * Pusher's signed HTTP API through the official library (batch_events, 10 per call). A 4xx (bad credentials, an event
 * over 10 KB) is dead; anything else is retried. PUSHER_HOST points every app at another host (a Pusher-compatible
 * service, or the tests' fake).
 */
export class PusherTransport implements OutboxTransport {
  readonly kind = 'pusher';
  readonly limits: DeliveryLimits;
  private readonly sealed: SealCache;
  private readonly clients = new Map<string, Pusher>();

  constructor(private readonly host: string | undefined, private readonly delivery: EventTransportsConfig['delivery'], box: SecretBox, _logger: Logger) {
    this.limits = delivery;
    this.sealed = new SealCache(box);
  }

  /** One destination per app (its credentials are in the row): rows of one batch share the first row's app. */
  destinationOf(): string {
    return 'pusher';
  }

  classify(result: AttemptResult): Verdict {
    if (result.ok) return 'delivered';
    return result.status && result.status >= 400 && result.status < 500 && result.status !== 429 ? 'dead' : 'retry';
  }

  async send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    const started = Date.now();
    const results: AttemptResult[] = new Array(rows.length);
    const byApp = new Map<string, number[]>();
    rows.forEach((r, i) => {
      const k = `${r.options}\n${r.secret}`;
      byApp.set(k, [...(byApp.get(k) ?? []), i]);
    });
    await Promise.all(
      [...byApp.values()].map(async (indexes) => {
        const chunks = Array.from({ length: Math.ceil(indexes.length / 10) }, (_, c) => indexes.slice(c * 10, c * 10 + 10));
        await Promise.all(
          chunks.map(async (chunk) => {
            const outcome = await this.batch(chunk.map((i) => rows[i]!), started);
            chunk.forEach((i, k) => (results[i] = outcome[k]!));
          }),
        );
      }),
    );
    return results;
  }

  private async batch(rows: OutboxRow[], started: number): Promise<AttemptResult[]> {
    const late = (r: Partial<AttemptResult>) => ({ ok: false, latencyMs: Date.now() - started, ...r }) as AttemptResult;
    let client: Pusher;
    try {
      client = this.client(rows[0]!);
    } catch (e) {
      return rows.map(() => late({ status: 400, error: `pusher credentials: ${(e as Error).message}` }));
    }
    const out: Array<AttemptResult | undefined> = rows.map((r) => (Buffer.byteLength(r.body) > MAX_DATA ? late({ status: 413, error: `event over Pusher's ${MAX_DATA}-byte limit` }) : undefined));
    const send = rows.filter((_, i) => !out[i]);
    if (send.length) {
      try {
        await within(client.triggerBatch(send.map((r) => ({ channel: r.target, name: r.event, data: JSON.parse(r.body) }))), this.delivery.sendTimeoutMs, 'pusher trigger');
        out.forEach((o, i) => (out[i] = o ?? { ok: true, status: 200, latencyMs: Date.now() - started }));
      } catch (e) {
        const status = (e as { status?: number }).status;
        out.forEach((o, i) => (out[i] = o ?? late({ status, error: `${(e as Error).message}${(e as { body?: string }).body ? `: ${(e as { body?: string }).body}` : ''}`.slice(0, 500) })));
      }
    }
    return out as AttemptResult[];
  }

  private client(row: OutboxRow): Pusher {
    const cacheKey = `${row.options}\n${row.secret}`;
    let c = this.clients.get(cacheKey);
    if (!c) {
      const o = JSON.parse(this.sealed.open(row.options!)) as { appId: string; key: string; cluster: string; useTLS: string };
      const secret = this.sealed.open(row.secret!);
      const base = { appId: o.appId, key: o.key, secret, useTLS: o.useTLS === 'true', timeout: this.delivery.sendTimeoutMs };
      if (this.host) {
        const [hostname, port] = this.host.split(':');
        c = new Pusher({ ...base, host: hostname!, port });
      } else c = new Pusher({ ...base, cluster: o.cluster });
      if (this.clients.size >= 1000) this.clients.clear();
      this.clients.set(cacheKey, c);
    }
    return c;
  }

  async close(): Promise<void> {
    this.clients.clear();
  }
}
