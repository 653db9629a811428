import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { sample } from '../helpers/prometheus.js';

describe('metrics and health', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();

  beforeAll(async () => {
    await hook.start();
    server = await startTestServer({ METRICS_TOKEN: 'metrics-token-123' });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  const scrape = async () => {
    const res = await server.call('GET', '/metrics', undefined, null, { authorization: 'Bearer metrics-token-123' });
    expect(res.status).toBe(200);
    return res.body as string;
  };

  it('protects /metrics', async () => {
    expect((await server.call('GET', '/metrics', undefined, null)).status).toBe(401);
    expect((await server.call('GET', '/metrics', undefined, null, { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await server.call('GET', '/metrics')).status).toBe(200);
  });

  it('counters move by the right amounts after a scripted workload', async () => {
    const before = await scrape();
    const token = await connectedSandbox(server, 'm1', '5511960000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT', 'SEND_MESSAGE'] } });
    for (let i = 0; i < 3; i++) expect((await server.call('POST', '/message/sendText/m1', { number: '5511960000099', text: `out ${i}` }, token)).status).toBe(201);
    for (let i = 0; i < 5; i++) expect((await server.call('POST', '/sandbox/inbound/m1', { from: '5511960000098', text: `in ${i}` })).status).toBe(201);
    await server.call('POST', '/sandbox/disconnect/m1', { statusReason: 515 });
    await waitFor(() => hook.events().length >= 8, 5000, 'webhooks');
    await waitFor(async () => sample(await scrape(), 'gateway_webhook_delivered_total') - (sample(before, 'gateway_webhook_delivered_total') || 0) >= 8, 5000, 'delivered counter');
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - (sample(before, name, labels) || 0);
    expect(delta('gateway_messages_total', { direction: 'sent', channel: 'SANDBOX' })).toBe(3);
    expect(delta('gateway_messages_total', { direction: 'received', channel: 'SANDBOX' })).toBe(5);
    expect(delta('gateway_events_total', { event: 'messages.upsert' })).toBe(5);
    expect(delta('gateway_events_total', { event: 'send.message' })).toBe(3);
    expect(delta('gateway_channel_reconnects_total', { reason: '515', channel: 'SANDBOX' })).toBe(1);
    expect(delta('gateway_webhook_delivered_total')).toBeGreaterThanOrEqual(8);
    expect(sample(after, 'gateway_webhook_delivery_latency_seconds_count')).toBeGreaterThanOrEqual(8);
    expect(sample(after, 'gateway_instances', { channel: 'SANDBOX', state: 'open' })).toBe(1);
    expect(sample(after, 'evolution_instance_up', { instance: 'm1', integration: 'SANDBOX' })).toBe(1);
    expect(delta('gateway_http_request_duration_seconds_count', { method: 'POST', route: '/message/sendText/:instanceName', status: '201' })).toBe(3);
    expect(sample(after, 'gateway_db_query_duration_seconds_count', { kind: 'insert' })).toBeGreaterThan(0);
    expect(sample(after, 'gateway_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'gateway_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers liveness and readiness in the documented shape', async () => {
    const live = await server.call('GET', '/health', undefined, null);
    expect(live).toMatchObject({ status: 200, body: { status: 'ok', version: '2.3.6' } });
    const ready = await server.call('GET', '/health/ready', undefined, null);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'healthy', version: '2.3.6', checks: { database: { ok: true, provider: 'sqlite' }, migrations: { ok: true }, deliveryQueue: { ok: true, durable: true } } });
    expect(ready.body.instances.total).toBe(ready.body.instances.connected + ready.body.instances.disconnected);
    expect(Date.parse(ready.body.lastCheck)).toBeGreaterThan(0);
  });
});
