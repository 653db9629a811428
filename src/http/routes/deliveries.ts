import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, Obj } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { badRequest } from '../../domain/errors.js';
import type { OutboxRow, OutboxState } from '../../storage/outboxRepository.js';

const ListQuery = Obj({ state: Type.Optional(Type.String({ enum: ['pending', 'delivered', 'dead'] })), limit: Type.Optional(Type.String({ pattern: '^\\d{1,4}$' })) });
const ReplayBody = Obj({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'webhook-id of one dead letter; omit to replay all' })) });
const PurgeQuery = Obj({ state: Type.String({ enum: ['delivered', 'dead'] }) });
const tags = ['webhook deliveries'];
type P = { instanceName: string };

/** Operations on the durable outbox of one instance: what was sent, what failed, replay, purge. */
export function deliveryRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const outbox = gateway.repos.outbox;
  const requireDurable = () => {
    if (!gateway.worker) throw badRequest('Durable webhook delivery is disabled (WEBHOOK_DURABLE=false)');
  };
  const present = async (rows: OutboxRow[]) => {
    const attempts = await outbox.attemptsOf(rows.map((r) => Number(r.seq)));
    return rows.map((r) => ({
      id: r.id,
      event: r.event,
      url: r.kind === 'webhook' ? r.target : null,
      transport: r.kind,
      target: r.target,
      state: r.state,
      attempts: Number(r.attempts),
      createdAt: new Date(Number(r.createdAt)).toISOString(),
      nextAttemptAt: r.state === 'pending' ? new Date(Number(r.nextAttemptAt)).toISOString() : null,
      deliveredAt: r.deliveredAt ? new Date(Number(r.deliveredAt)).toISOString() : null,
      lastStatus: r.lastStatus,
      lastError: r.lastError,
      history: attempts.filter((a) => a.outboxSeq === Number(r.seq)).map((a) => ({ attempt: a.attempt, statusCode: a.statusCode, latencyMs: a.latencyMs, error: a.error, at: new Date(a.at).toISOString() })),
    }));
  };
  const list = (state?: OutboxState) => async (request: { live?: LiveInstance; query: Static<typeof ListQuery> }) => {
    requireDurable();
    const rows = await outbox.list((request.live as LiveInstance).id, state ?? (request.query.state as OutboxState | undefined), Math.min(Number(request.query.limit ?? 50), 1000));
    return { deliveries: await present(rows) };
  };

  app.get<{ Params: P; Querystring: Static<typeof ListQuery> }>(
    '/webhook/deliveries/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Recent webhook deliveries with their attempts (newest first)', params: InstanceParams, querystring: ListQuery, response: { 200: Obj({ deliveries: Type.Array(Loose()) }), ...errorResponses } } },
    list(),
  );

  app.get<{ Params: P; Querystring: Static<typeof ListQuery> }>(
    '/webhook/deadLetters/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Deliveries that gave up (non-retryable answer, attempts or age exhausted)', params: InstanceParams, querystring: ListQuery, response: { 200: Obj({ deliveries: Type.Array(Loose()) }), ...errorResponses } } },
    list('dead'),
  );

  app.post<{ Params: P; Body: Static<typeof ReplayBody> }>(
    '/webhook/replay/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Send dead letters again (one by webhook id, or all)', params: InstanceParams, body: ReplayBody, response: { 201: Obj({ replayed: Type.Integer() }), ...errorResponses } } },
    async (request, reply) => {
      requireDurable();
      const { count } = await outbox.replay((request.live as LiveInstance).id, request.body.id);
      if (request.body.id && !count) throw badRequest(`Dead letter "${request.body.id}" not found`);
      await gateway.worker!.rescan();
      reply.status(201);
      return { replayed: count };
    },
  );

  app.delete<{ Params: P; Querystring: Static<typeof PurgeQuery> }>(
    '/webhook/deliveries/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Delete delivered or dead rows of this instance', params: InstanceParams, querystring: PurgeQuery, response: { 200: Obj({ purged: Type.Integer() }), ...errorResponses } } },
    async (request) => {
      requireDurable();
      return { purged: await outbox.purge((request.live as LiveInstance).id, request.query.state as OutboxState) };
    },
  );
}
