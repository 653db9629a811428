import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { GatewayEvent } from '../../domain/events.js';
import type { OutboxRow } from '../../storage/outboxRepository.js';
import { buildEnvelope } from '../envelope.js';
import type { Route } from '../outbox/store.js';
import type { AttemptResult, DeliveryLimits, OutboxTransport, Verdict } from '../outbox/transport.js';
import type { EventTransportsConfig } from './config.js';
import { failAll, within } from './connection.js';
import { selects, type BusContext } from './routing.js';

type Config = EventTransportsConfig['sqs'];

/** `messages.upsert` -> `messages_upsert`, `send.message.update` -> `send_message.update`: only the first dot, lower-cased. */
export const sqsEventName = (event: string) => event.replace('.', '_').toLowerCase();

/**
 * FIFO queues as upstream names them: `<prefix>_<event>.fifo` with the instance name as prefix per instance, or
 * SQS_GLOBAL_PREFIX_NAME globally (`<prefix>_singlequeue.fifo` with SQS_GLOBAL_FORCE_SINGLE_QUEUE). Global and
 * per-instance modes are exclusive. The body adds `dataType: "json"` and `server` to the envelope. The row's target
 * is `<queue>\n<MessageGroupId>`.
 */
export function sqsRouter(config: Config, ctx: BusContext): (event: GatewayEvent) => Route[] {
  return (event) => {
    const on = selects(ctx, 'sqs', config, event);
    const global = config.global;
    if (global ? !on.global : !on.instance) return [];
    const ev = sqsEventName(event.event);
    const { event: name, instance, data, date_time, sender, server_url, apikey } = buildEnvelope(event, ctx.envelope);
    const body = JSON.stringify({ event: name, instance, dataType: 'json', data, server: config.serverName, server_url, date_time, sender, apikey });
    const queue = global ? `${config.prefixName}_${config.forceSingleQueue ? 'singlequeue' : ev}.fifo` : `${event.instanceName}_${ev}.fifo`;
    const group = global ? `${config.serverName}-${ev}-${event.instanceName}` : 'evolution';
    return [{ kind: 'sqs', target: `${queue}\n${group}`, body }];
  };
}

/**
 * SendMessageBatch (10 per call) with the event id as MessageDeduplicationId: SQS itself drops a resend within its
 * five-minute window. A queue that does not exist is created (FIFO) and the rows retried. A body over
 * SQS_MAX_PAYLOAD_SIZE is dead-lettered (upstream offloads it to S3: not done here, docs/compatibility.md).
 */
export class SqsTransport implements OutboxTransport {
  readonly kind = 'sqs';
  readonly limits: DeliveryLimits;
  private readonly client: SQSClient;
  private readonly created = new Set<string>();

  constructor(private readonly config: Config, private readonly delivery: EventTransportsConfig['delivery'], private readonly logger: Logger) {
    this.limits = delivery;
    this.client = new SQSClient({
      region: config.region,
      endpoint: config.endpoint,
      credentials: config.accessKeyId && config.secretAccessKey ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } : undefined,
      maxAttempts: 1,
    });
  }

  destinationOf(): string {
    return 'sqs';
  }

  describe(target: string): string {
    return target.split('\n')[0]!;
  }

  classify(result: AttemptResult): Verdict {
    if (result.ok) return 'delivered';
    return result.status === 400 ? 'dead' : 'retry';
  }

  private queueUrl(queue: string): string {
    const base = this.config.endpoint ? this.config.endpoint.replace(/\/+$/, '') : `https://sqs.${this.config.region}.amazonaws.com`;
    return `${base}/${this.config.accountId ?? '000000000000'}/${queue}`;
  }

  async send(rows: OutboxRow[]): Promise<AttemptResult[]> {
    const started = Date.now();
    const results: AttemptResult[] = new Array(rows.length);
    const byQueue = new Map<string, number[]>();
    rows.forEach((r, i) => {
      if (Buffer.byteLength(r.body) > this.config.maxPayloadSize) results[i] = { ok: false, status: 400, latencyMs: 0, error: `body over SQS_MAX_PAYLOAD_SIZE (${this.config.maxPayloadSize} bytes)` };
      else {
        const q = r.target.split('\n')[0]!;
        byQueue.set(q, [...(byQueue.get(q) ?? []), i]);
      }
    });
    await Promise.all(
      [...byQueue].map(async ([queue, indexes]) => {
        const chunks = Array.from({ length: Math.ceil(indexes.length / 10) }, (_, c) => indexes.slice(c * 10, c * 10 + 10));
        await Promise.all(
          chunks.map(async (chunk) => {
            try {
              await this.sendChunk(queue, chunk.map((i) => rows[i]!), chunk, results, started);
            } catch (e) {
              const name = (e as Error).name;
              if (/QueueDoesNotExist|NonExistentQueue/.test(name)) await this.create(queue);
              const failed = failAll(chunk, e, started);
              chunk.forEach((i, k) => (results[i] = failed[k]!));
            }
          }),
        );
      }),
    );
    return results;
  }

  private async sendChunk(queue: string, chunk: OutboxRow[], indexes: number[], results: AttemptResult[], started: number): Promise<void> {
    const out = await within(
      this.client.send(new SendMessageBatchCommand({
        QueueUrl: this.queueUrl(queue),
        Entries: chunk.map((r, k) => ({ Id: String(k), MessageBody: r.body, MessageGroupId: r.target.split('\n')[1], MessageDeduplicationId: r.id })),
      })),
      this.delivery.sendTimeoutMs,
      'sqs SendMessageBatch',
    );
    for (const s of out.Successful ?? []) results[indexes[Number(s.Id)]!] = { ok: true, latencyMs: Date.now() - started };
    for (const f of out.Failed ?? []) results[indexes[Number(f.Id)]!] = { ok: false, status: f.SenderFault ? 400 : 500, latencyMs: Date.now() - started, error: `${f.Code}: ${f.Message ?? ''}` };
    indexes.forEach((i) => (results[i] ??= { ok: false, latencyMs: Date.now() - started, error: 'no result for this entry' }));
  }

  private async create(queue: string): Promise<void> {
    if (this.created.has(queue)) return;
    await this.client
      .send(new CreateQueueCommand({ QueueName: queue, Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'false' } }))
      .then(() => this.created.add(queue))
      .catch((err) => this.logger.warn({ queue, err: (err as Error).message }, 'sqs queue could not be created'));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
