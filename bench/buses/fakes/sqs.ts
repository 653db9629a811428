import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Stored {
  MessageId: string;
  Body: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/**
 * A local SQS speaking the AWS JSON 1.0 protocol the SDK v3 uses (POST /, `x-amz-target: AmazonSQS.<Action>`):
 * CreateQueue, SendMessageBatch (FIFO deduplication by MessageDeduplicationId), ReceiveMessage, DeleteMessage. Every
 * request must carry a SigV4 Authorization header with the expected access key id. `down` answers 503.
 */
export class FakeSqs {
  readonly queues = new Map<string, Stored[]>();
  readonly dedupe = new Set<string>();
  requests = 0;
  down = false;
  private server!: Server;
  url = '';

  constructor(private readonly accessKeyId: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    this.requests++;
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', ...headers });
      res.end(JSON.stringify(body));
    };
    const fault = (status: number, type: string, message: string, query: string) => reply(status, { __type: `com.amazonaws.sqs#${type}`, message }, { 'x-amzn-query-error': query });
    if (this.down) return fault(503, 'ServiceUnavailable', 'down for the test', 'ServiceUnavailable;Receiver');
    const auth = String(req.headers.authorization ?? '');
    if (!auth.startsWith(`AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/`) || !/SignedHeaders=.*Signature=[0-9a-f]{64}/.test(auth)) return fault(403, 'InvalidClientTokenId', 'bad signature', 'InvalidClientTokenId;Sender');
    const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    const queueOf = (url: string) => url.split('/').pop()!;
    switch (action) {
      case 'CreateQueue':
        if (!this.queues.has(input.QueueName)) this.queues.set(input.QueueName, []);
        return reply(200, { QueueUrl: `${this.url}/000000000000/${input.QueueName}` });
      case 'SendMessageBatch': {
        const q = this.queues.get(queueOf(input.QueueUrl));
        if (!q) return fault(400, 'QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue;Sender');
        const Successful = [];
        for (const e of input.Entries as Array<Record<string, string>>) {
          const id = randomUUID();
          const key = `${queueOf(input.QueueUrl)}|${e.MessageDeduplicationId}`;
          if (!this.dedupe.has(key)) {
            this.dedupe.add(key);
            q.push({ MessageId: id, Body: e.MessageBody!, MessageGroupId: e.MessageGroupId, MessageDeduplicationId: e.MessageDeduplicationId });
          }
          Successful.push({ Id: e.Id, MessageId: id, MD5OfMessageBody: md5(e.MessageBody!), SequenceNumber: String(this.requests) });
        }
        return reply(200, { Successful, Failed: [] });
      }
      case 'ReceiveMessage': {
        const q = this.queues.get(queueOf(input.QueueUrl)) ?? [];
        const taken = q.splice(0, input.MaxNumberOfMessages ?? 1);
        return reply(200, { Messages: taken.map((m) => ({ MessageId: m.MessageId, ReceiptHandle: m.MessageId, MD5OfBody: md5(m.Body), Body: m.Body, Attributes: { MessageGroupId: m.MessageGroupId ?? '', MessageDeduplicationId: m.MessageDeduplicationId ?? '' } })) });
      }
      default:
        return fault(400, 'InvalidAction', `unsupported ${action}`, 'InvalidAction;Sender');
    }
  }
}
