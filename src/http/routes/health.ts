import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { RouteContext } from '../app.js';
import { Loose, Obj } from '../schemas.js';
import { LATEST_MIGRATION } from '../../storage/migrate.js';
import { secretsEqual } from '../../security/secrets.js';
import { unauthorized } from '../../domain/errors.js';
import { withTimeout } from '../../timeout.js';

const started = Date.now();

async function timed<T>(fn: () => Promise<T>, timeoutMs: number): Promise<{ ok: boolean; ms: number; value?: T; error?: string }> {
  const t0 = performance.now();
  try {
    const value = await withTimeout(fn(), timeoutMs, `timed out after ${timeoutMs} ms`);
    return { ok: true, ms: Math.round(performance.now() - t0), value };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: (e as Error).message };
  }
}

/** Liveness, readiness (docs/observability.md) and the Prometheus endpoint. */
export function healthRoutes(app: FastifyInstance, { gateway }: RouteContext): void {
  const { config } = gateway;

  app.get('/health', { schema: { tags: ['health'], summary: 'Liveness: the process answers', security: [], response: { 200: Obj({ status: Type.String(), uptimeSeconds: Type.Number(), version: Type.String() }) } } }, async () => ({
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
    version: config.version,
  }));

  app.get('/health/ready', { schema: { tags: ['health'], summary: 'Readiness: database, migrations, delivery queue, cache; 503 when not ready', security: [], response: { 200: Loose(), 503: Loose() } } }, async (_request, reply) => {
    const database = await timed(() => sql`select 1`.execute(gateway.db.kysely), 2000);
    const migrations = database.ok
      ? await timed(async () => (await sql<{ name: string }>`select name from gateway_migrations order by name desc limit 1`.execute(gateway.db.kysely)).rows[0]?.name, 2000)
      : { ok: false, ms: 0, error: 'database unreachable' };
    const migrated = migrations.ok && migrations.value === LATEST_MIGRATION;
    let queue: Record<string, unknown> = { ok: true, durable: Boolean(gateway.worker) };
    if (gateway.worker && database.ok) {
      const summary = await timed(() => gateway.repos.outbox.pendingSummary(), 2000);
      const overdue = summary.value?.earliestDueAt ? Math.max(0, Math.round((Date.now() - summary.value.earliestDueAt) / 1000)) : 0;
      queue = { ok: summary.ok && overdue < config.metrics.stuckAfterSeconds, durable: true, pending: summary.value?.pending ?? null, overdueSeconds: overdue, ...(summary.error ? { error: summary.error } : {}) };
    }
    const cachePing = await timed(() => gateway.cache.ping(), 2000);
    const cache = { ok: cachePing.value === true, kind: gateway.cache.kind, latencyMs: cachePing.ms };
    const all = gateway.registry.all();
    const connected = all.filter((l) => l.channel.state === 'open').length;
    const down = !database.ok || !migrated;
    const status = down ? 'down' : queue.ok && cache.ok ? 'healthy' : 'degraded';
    reply.status(status === 'healthy' ? 200 : 503);
    return {
      status,
      version: config.version,
      instances: { total: all.length, connected, disconnected: all.length - connected },
      checks: {
        database: { ok: database.ok, provider: gateway.db.provider, latencyMs: database.ms, ...(database.error ? { error: database.error } : {}) },
        migrations: { ok: migrated, latest: LATEST_MIGRATION, applied: migrations.value ?? null },
        deliveryQueue: queue,
        cache,
      },
      lastCheck: new Date().toISOString(),
    };
  });

  if (!config.metrics.enabled) return;
  const allowed = (request: FastifyRequest): boolean => {
    const key = request.headers.apikey;
    if (typeof key === 'string' && secretsEqual(key, config.auth.apiKey)) return true;
    const auth = request.headers.authorization ?? '';
    if (config.metrics.token && auth.startsWith('Bearer ') && secretsEqual(auth.slice(7), config.metrics.token)) return true;
    if (config.metrics.user && config.metrics.password && auth.startsWith('Basic ')) {
      return secretsEqual(Buffer.from(auth.slice(6), 'base64').toString(), `${config.metrics.user}:${config.metrics.password}`);
    }
    return false;
  };
  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (global key, METRICS_TOKEN bearer, or METRICS_USER/METRICS_PASSWORD basic auth)', hide: false } }, async (request, reply) => {
    if (!allowed(request)) throw unauthorized();
    reply.header('content-type', gateway.metrics.registry.contentType);
    return gateway.metrics.registry.metrics();
  });
}
