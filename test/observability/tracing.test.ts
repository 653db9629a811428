import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

/** A local collector: records every POST (OTLP/HTTP JSON traces, Sentry envelopes). */
async function collector(): Promise<{ server: Server; url: string; bodies: Array<{ path: string; body: string }> }> {
  const bodies: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('correlation ids, OpenTelemetry and Sentry', () => {
  let server: TestServer;
  let otlp: Awaited<ReturnType<typeof collector>>;
  let sentry: Awaited<ReturnType<typeof collector>>;
  const hook = new WebhookReceiver();

  beforeAll(async () => {
    otlp = await collector();
    sentry = await collector();
    await hook.start();
    const sentryPort = new URL(sentry.url).port;
    server = await startTestServer({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: 'gateway-under-test', SENTRY_DSN: `http://publickey@127.0.0.1:${sentryPort}/42` });
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
    otlp.server.close();
    sentry.server.close();
  });

  it('carries the request id of a send into the webhook deliveries it causes', async () => {
    const token = await connectedSandbox(server, 'corr', '5511970000001', { webhook: { url: hook.url, events: ['SEND_MESSAGE', 'MESSAGES_UPDATE'] } });
    const res = await server.call('POST', '/message/sendText/corr', { number: '5511970000002', text: 'trace me' }, token, { 'x-request-id': 'req-abc-123' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    const sent = await hook.waitForEvent('send.message');
    expect(sent.headers['x-correlation-id']).toBe('req-abc-123');
    // Acks that follow from that send carry it too.
    const ack = await hook.waitForEvent('messages.update');
    expect(ack.headers['x-correlation-id']).toBe('req-abc-123');
  });

  it('reports unexpected errors to Sentry with instance and correlation id, without bodies', async () => {
    await connectedSandbox(server, 'boom', '5511970000003');
    const original = server.gateway.chats.findChats;
    server.gateway.chats.findChats = async () => {
      throw new Error('simulated failure');
    };
    try {
      const res = await server.call('POST', '/chat/findChats/boom', { where: { remoteJid: 'SECRET-BODY-CONTENT' } }, undefined, { 'x-request-id': 'req-sentry-1' });
      expect(res.body).toEqual({ status: 500, error: 'Internal Server Error', response: { message: 'Internal Server Error' } });
    } finally {
      server.gateway.chats.findChats = original;
    }
    const envelope = await waitFor(() => sentry.bodies.find((b) => b.body.includes('simulated failure')), 5000, 'sentry envelope');
    expect(envelope.path.split('?')[0]).toBe('/api/42/envelope/');
    expect(envelope.body).toContain('"instance":"boom"');
    expect(envelope.body).toContain('"correlation_id":"req-sentry-1"');
    expect(envelope.body).not.toContain('SECRET-BODY-CONTENT');
    expect(envelope.body).not.toContain(server.key);
  });

  it('exports request spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set', async () => {
    await server.call('GET', '/instance/connectionState/corr');
    const dir = server.dir;
    const env = server.env;
    await server.stop({ keepData: true }); // flushes the span batch
    const spans = otlp.bodies
      .filter((b) => b.path === '/v1/traces')
      .flatMap((b) => JSON.parse(b.body).resourceSpans as any[])
      .flatMap((rs) => rs.scopeSpans.flatMap((ss: any) => ss.spans.map((s: any) => ({ ...s, resource: rs.resource }))));
    const send = spans.find((s) => s.name === 'POST /message/sendText/:instanceName');
    expect(send).toBeDefined();
    const attrs = Object.fromEntries(send.attributes.map((a: any) => [a.key, Object.values(a.value)[0]]));
    expect(attrs).toMatchObject({ 'http.request.method': 'POST', 'gateway.correlation_id': 'req-abc-123', 'gateway.instance': 'corr' });
    expect(send.resource.attributes.find((a: any) => a.key === 'service.name').value.stringValue).toBe('gateway-under-test');
    expect(spans.some((s) => s.name === 'GET /instance/connectionState/:instanceName')).toBe(true);
    server = await startTestServer(env, dir);
  });
});
