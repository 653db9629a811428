import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { FakeKafka } from '../../bench/buses/fakes/kafka.js';

/**
 * Kafka through kafkajs's idempotent producer against a local fake broker (Debian and npm have no Kafka broker): the
 * fake speaks ApiVersions, Metadata, InitProducerId and Produce v3, and decodes the record batches it receives.
 */
describe('Kafka (kafkajs producer, local fake broker)', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const kafka = new FakeKafka();
  beforeAll(async () => {
    await Promise.all([hook.start(), kafka.start()]);
    server = await startTestServer({ KAFKA_ENABLED: 'true', KAFKA_BROKERS: kafka.broker, KAFKA_CLIENT_ID: 'gw-test', EVENTS_RETRY_INITIAL_DELAY_SECONDS: '0.1', EVENTS_BREAKER_MAX_COOLDOWN_MS: '500' });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([hook.stop(), kafka.stop()]);
  });

  it('produces the envelope plus timestamp to <prefix>.<instance>.<event>, keyed by instance, with the event id header', async () => {
    const token = await connectedSandbox(server, 'kaf', '5511990000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    expect((await server.call('POST', '/kafka/set/kaf', { kafka: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token)).status).toBe(201);
    await server.call('POST', '/sandbox/inbound/kaf', { from: '5511920000011', text: 'to kafka' });
    const webhook = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'kaf');
    const rec = await waitFor(() => kafka.records.find((r) => r.topic === 'evolution.kaf.messages.upsert'), 15_000, 'the record at the fake broker');
    const { destination: _d, ...envelope } = webhook.body;
    const value = JSON.parse(rec.value);
    expect(value).toEqual({ ...envelope, timestamp: expect.any(Number) });
    expect(rec.key).toBe('kaf');
    expect(rec.headers).toMatchObject({ event: 'messages.upsert', instance: 'kaf', origin: 'gw-test', 'event-id': webhook.headers['webhook-id'] });
    expect(rec.producerId).toBeGreaterThan(0n);
  });

  it('a broker outage in the middle of a burst loses nothing', async () => {
    const token = await connectedSandbox(server, 'kafb', '5511990000002');
    await server.call('POST', '/kafka/set/kafb', { kafka: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token);
    const post = (i: number) => server.call('POST', '/sandbox/inbound/kafb', { from: `55119200002${i % 4}`, text: `k ${i}` });
    for (let i = 0; i < 10; i++) await post(i);
    kafka.down = true;
    kafka.cut();
    for (let i = 10; i < 20; i++) await post(i);
    await waitFor(() => server.gateway.worker!.statsByKind.get('kafka')!.retried > 0, 10_000, 'failed attempts while the broker is down');
    kafka.down = false;
    for (let i = 20; i < 30; i++) await post(i);
    const texts = () => new Set(kafka.records.filter((r) => r.topic === 'evolution.kafb.messages.upsert').map((r) => JSON.parse(r.value).data.message.conversation));
    await waitFor(() => texts().size >= 30, 30_000, '30 distinct events after the outage');
    expect(texts()).toEqual(new Set(Array.from({ length: 30 }, (_, i) => `k ${i}`)));
  });
});
