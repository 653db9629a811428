import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { FakeSqs } from '../../bench/buses/fakes/sqs.js';
import { FakePusher } from '../../bench/buses/fakes/pusher.js';

const withoutDestination = (body: any) => {
  const { destination: _d, ...rest } = body;
  return rest;
};

describe('SQS and Pusher against local fakes of their wire formats', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const sqs = new FakeSqs('AKIDTESTBUSES');
  const pusher = new FakePusher({ '4242': { key: 'pk-test', secret: 'pusher-secret-1' } });
  beforeAll(async () => {
    await Promise.all([hook.start(), sqs.start(), pusher.start()]);
    server = await startTestServer({
      SERVER_NAME: 'gw-test',
      SQS_ENABLED: 'true', SQS_ACCESS_KEY_ID: 'AKIDTESTBUSES', SQS_SECRET_ACCESS_KEY: 'secret-test', SQS_ACCOUNT_ID: '000000000000', SQS_REGION: 'us-east-1', SQS_ENDPOINT: sqs.url,
      PUSHER_ENABLED: 'true', PUSHER_HOST: pusher.host,
      EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.05',
    });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([hook.stop(), sqs.stop(), pusher.stop()]);
  });

  it('SQS: the FIFO queue is created, the event arrives once with the upstream body, read back with the SDK', async () => {
    const token = await connectedSandbox(server, 'sqsa', '5511960000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    expect((await server.call('POST', '/sqs/set/sqsa', { sqs: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token)).status).toBe(201);
    await server.call('POST', '/sandbox/inbound/sqsa', { from: '5511920000055', text: 'into the queue' });
    const webhook = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'sqsa');
    await waitFor(() => (sqs.queues.get('sqsa_messages_upsert.fifo')?.length ?? 0) >= 1, 10_000, 'the event in the fake queue');
    const reader = new SQSClient({ region: 'us-east-1', endpoint: sqs.url, credentials: { accessKeyId: 'AKIDTESTBUSES', secretAccessKey: 'secret-test' } });
    const got = await reader.send(new ReceiveMessageCommand({ QueueUrl: `${sqs.url}/000000000000/sqsa_messages_upsert.fifo`, MaxNumberOfMessages: 10 }));
    reader.destroy();
    expect(got.Messages).toHaveLength(1);
    const { apikey: _a, ...expected } = withoutDestination(webhook.body);
    expect(JSON.parse(got.Messages![0]!.Body!)).toEqual({ ...expected, apikey: null, dataType: 'json', server: 'gw-test' });
    expect(got.Messages![0]!.Attributes).toMatchObject({ MessageGroupId: 'evolution', MessageDeduplicationId: webhook.headers['webhook-id'] });
  });

  it('SQS: an outage is ridden out; the retried batch is deduplicated by event id', async () => {
    const token = await connectedSandbox(server, 'sqsb', '5511960000002');
    await server.call('POST', '/sqs/set/sqsb', { sqs: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    sqs.down = true;
    for (let i = 0; i < 5; i++) await server.call('POST', '/sandbox/inbound/sqsb', { from: `551192000010${i}`, text: `down ${i}` });
    await waitFor(() => server.gateway.worker!.statsByKind.get('sqs')!.retried > 0, 10_000, 'retries while SQS is down');
    sqs.down = false;
    await waitFor(() => (sqs.queues.get('sqsb_messages_upsert.fifo')?.length ?? 0) >= 5, 15_000, 'the five events after the outage');
    expect(new Set(sqs.queues.get('sqsb_messages_upsert.fifo')!.map((m) => JSON.parse(m.Body).data.message.conversation))).toEqual(new Set([0, 1, 2, 3, 4].map((i) => `down ${i}`)));
  });

  it('Pusher: signed batch to the instance channel, webhook envelope with the app id as destination, secret never answered', async () => {
    const token = await connectedSandbox(server, 'pusha', '5511960000003', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    const set = await server.call('POST', '/pusher/set/pusha', { pusher: { enabled: true, appId: '4242', key: 'pk-test', secret: 'pusher-secret-1', cluster: 'mt1', useTLS: false, events: ['MESSAGES_UPSERT'] } }, token);
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ enabled: true, appId: '4242', key: 'pk-test', cluster: 'mt1', useTLS: false, secret: null, events: ['MESSAGES_UPSERT'] });
    await server.call('POST', '/sandbox/inbound/pusha', { from: '5511920000066', text: 'pushed' });
    const webhook = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'pusha');
    await waitFor(() => pusher.events.find((e) => e.channel === 'pusha'), 10_000, 'the event at the fake Pusher');
    const e = pusher.events.find((x) => x.channel === 'pusha')!;
    expect(e).toMatchObject({ appId: '4242', name: 'messages.upsert' });
    expect(JSON.parse(e.data)).toEqual({ ...webhook.body, destination: '4242' });
  });

  it('Pusher: wrong credentials are dead letters, not retried forever', async () => {
    const token = await connectedSandbox(server, 'pushb', '5511960000004');
    await server.call('POST', '/pusher/set/pushb', { pusher: { enabled: true, appId: '4242', key: 'pk-test', secret: 'wrong-secret', cluster: 'mt1', useTLS: false, events: ['MESSAGES_UPSERT'] } }, token);
    const before = server.gateway.worker!.statsByKind.get('pusher')!.dead;
    await server.call('POST', '/sandbox/inbound/pushb', { from: '5511920000067', text: 'refused' });
    await waitFor(() => server.gateway.worker!.statsByKind.get('pusher')!.dead > before, 10_000, 'a dead letter');
    expect(pusher.events.some((x) => x.channel === 'pushb')).toBe(false);
  });
});

describe('/instance/create with transport blocks', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SQS_ENABLED: 'true', SQS_ENDPOINT: 'http://127.0.0.1:9', SQS_ACCESS_KEY_ID: 'x', SQS_SECRET_ACCESS_KEY: 'y' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('stores the block of an enabled transport with enabled forced true; a disabled transport is ignored', async () => {
    const res = await server.call('POST', '/instance/create', { instanceName: 'withbus', integration: 'SANDBOX', sqs: { events: ['MESSAGES_UPSERT'] }, rabbitmq: { events: [] } });
    expect(res.status).toBe(201);
    expect(res.body.sqs).toEqual({ enabled: true });
    expect(res.body.rabbitmq).toEqual({});
    const found = await server.call('GET', '/sqs/find/withbus', undefined, res.body.hash);
    expect(found.body).toMatchObject({ enabled: true, events: ['MESSAGES_UPSERT'], instanceId: res.body.instance.instanceId });
    const [row] = (await server.call('GET', '/instance/fetchInstances?instanceName=withbus')).body;
    expect(row.Sqs).toEqual(found.body);
    expect(row.Rabbitmq).toBeNull();
  });
});
