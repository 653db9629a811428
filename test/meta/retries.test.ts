import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetaInstance, metaWorld, type MetaWorld } from './harness.js';
import type { PhoneNumber } from '../../sim/graph/fakeGraph.js';

const TO = '5511988887777';

describe('Meta sends under Graph 429/5xx: retried with backoff and Retry-After, never dropped silently', () => {
  let w: MetaWorld;
  let phone: PhoneNumber;
  const NAME = 'meta-retry';

  beforeAll(async () => {
    w = await metaWorld({ WA_BUSINESS_MAX_ATTEMPTS: '3' });
    phone = w.graph.addPhone({ id: '109876543210003', display: '15550003333' });
    await createMetaInstance(w, NAME, phone);
  });
  afterAll(async () => w?.stop());

  it('a 429 with Retry-After is waited out; the send is accepted, then Graph takes it and its statuses reach the same message', async () => {
    w.graph.fail({ status: 429, retryAfter: '1', pathEndsWith: '/messages' });
    const started = Date.now();
    const res = await w.server.call('POST', `/message/sendText/${NAME}`, { number: TO, text: 'busy graph' }, phone.token);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('PENDING');
    const id = res.body.key.id as string;
    await w.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === id && r.body.data.status === 'DELIVERY_ACK', 10_000);
    const attempts = w.graph.sent(phone.id).filter((r) => r.body.text?.body === 'busy graph');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const stored = (await w.server.call('POST', `/chat/findMessages/${NAME}`, { where: { key: { id } } })).body.messages;
    expect(stored.records[0].status).toBe('DELIVERY_ACK');
  });

  it('5xx until the attempts run out: messages.update ERROR with the reason', async () => {
    w.graph.fail({ status: 503, pathEndsWith: '/messages', error: { message: 'Service temporarily unavailable', code: 2, type: 'OAuthException' } }, 3);
    const res = await w.server.call('POST', `/message/sendText/${NAME}`, { number: TO, text: 'graph down' }, phone.token);
    expect(res.status).toBe(201);
    const id = res.body.key.id as string;
    const update = await w.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === id && r.body.data.status === 'ERROR', 10_000);
    expect(update.body.data.error).toEqual({ code: 2, reason: 'Service temporarily unavailable' });
    expect(w.graph.sent(phone.id).filter((r) => r.body.text?.body === 'graph down')).toHaveLength(3);
    const stored = (await w.server.call('POST', `/chat/findMessages/${NAME}`, { where: { key: { id } } })).body.messages;
    expect(stored.records[0].status).toBe('ERROR');
  });

  it('an unreachable Graph is retried the same way', async () => {
    const live = w.server.gateway.registry.get(NAME)!;
    w.graph.fail({ status: 500, pathEndsWith: '/messages' });
    const sent = await w.server.gateway.messages.send(live, { number: TO }, { kind: 'text', text: 'after a 500' });
    await w.hook.waitForEvent('messages.update', (r) => r.body.data.keyId === sent.key.id && r.body.data.status === 'SERVER_ACK', 10_000);
  });
});
