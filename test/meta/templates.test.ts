import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetaInstance, metaWorld, type MetaWorld } from './harness.js';
import { VERSION, type PhoneNumber } from '../../sim/graph/fakeGraph.js';
import { WebhookReceiver } from '../helpers/receiver.js';

const TEMPLATE = {
  name: 'order_update',
  category: 'UTILITY',
  language: 'en_US',
  components: [
    { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}.', example: { body_text: [['Ana', 'on its way']] } },
    { type: 'FOOTER', text: 'Thanks' },
  ],
};

describe('Meta templates: /template/create|find|edit|delete, sendTemplate, template status forwarding', () => {
  let w: MetaWorld;
  let phone: PhoneNumber;
  let statusHook: WebhookReceiver;
  const NAME = 'meta-tpl';

  beforeAll(async () => {
    w = await metaWorld();
    w.graph.autoStatuses = [];
    statusHook = await new WebhookReceiver().start();
    phone = w.graph.addPhone({ id: '109876543210002', display: '15550002222' });
    await createMetaInstance(w, NAME, phone);
  });
  afterAll(async () => {
    await w?.stop();
    await statusHook?.stop();
  });

  it('create posts to the business account and keeps the row; find lists; a duplicate is refused Meta-style', async () => {
    const created = await w.server.call('POST', `/template/create/${NAME}`, { ...TEMPLATE, webhookUrl: statusHook.url }, phone.token);
    expect(created.status).toBe(201);
    const req = w.graph.requests.filter((r) => r.path === `/${VERSION}/${phone.businessId}/message_templates` && r.method === 'POST').at(-1)!;
    expect(req.body).toEqual({ name: 'order_update', category: 'UTILITY', language: 'en_US', components: TEMPLATE.components });
    expect(created.body).toMatchObject({ name: 'order_update', templateId: expect.stringMatching(/^\d+$/), template: { status: 'PENDING', category: 'UTILITY' }, webhookUrl: statusHook.url });

    const found = await w.server.call('GET', `/template/find/${NAME}`, undefined, phone.token);
    expect(found.status).toBe(200);
    expect(found.body).toEqual([expect.objectContaining({ name: 'order_update', language: 'en_US', status: 'PENDING' })]);

    const again = await w.server.call('POST', `/template/create/${NAME}`, TEMPLATE, phone.token);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ status: 400, message: 'Message template already exists', details: { whatsapp_code: 100, error_subcode: 2388024, context: 'template_creation', type: 'whatsapp_api_error' } });
  });

  it("Meta's message_template_status_update is forwarded verbatim to the template's webhookUrl", async () => {
    const id = (await w.server.call('GET', `/template/find/${NAME}`, undefined, phone.token)).body[0].id as string;
    const value = { event: 'APPROVED', message_template_id: Number(id), message_template_name: 'order_update', message_template_language: 'en_US', reason: 'NONE' };
    const payload = { object: 'whatsapp_business_account', entry: [{ id: phone.businessId, time: Math.floor(Date.now() / 1000), changes: [{ field: 'message_template_status_update', value }] }] };
    expect((await w.graph.post(payload, { secret: null })).status).toBe(401);
    expect((await w.graph.post(payload)).status).toBe(200);
    const got = await waitForPost(statusHook, Number(id));
    expect(got.body).toEqual(value);
  });

  it('sendTemplate sends name, language and components; Graph renders it, the record keeps the filled text', async () => {
    w.graph.approve(phone.businessId, 'order_update');
    const components = [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'shipped' }] }];
    const res = await w.server.call('POST', `/message/sendTemplate/${NAME}`, { number: '5511988887777', name: 'order_update', language: 'en_US', components }, phone.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(w.graph.sent(phone.id).at(-1)!.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511988887777', type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components } });
    expect(res.body.message.templateMessage.hydratedTemplate.hydratedContentText).toBe('Hi Ana, your order is shipped.');

    const unknown = await w.server.call('POST', `/message/sendTemplate/${NAME}`, { number: '5511988887777', name: 'nope', language: 'en_US' }, phone.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ details: { whatsapp_code: 132001 } });
  });

  it('edit posts the changes to the template id; delete removes it by name', async () => {
    const id = (await w.server.call('GET', `/template/find/${NAME}`, undefined, phone.token)).body[0].id as string;
    const components = [{ type: 'BODY', text: 'Hello {{1}}, order {{2}}.', example: { body_text: [['Ana', '42']] } }];
    const edited = await w.server.call('POST', `/template/edit/${NAME}`, { templateId: id, components }, phone.token);
    expect(edited).toMatchObject({ status: 200, body: { success: true } });
    expect(w.graph.requests.filter((r) => r.path === `/${VERSION}/${id}`).at(-1)!.body).toEqual({ components });

    const deleted = await w.server.call('DELETE', `/template/delete/${NAME}`, { name: 'order_update' }, phone.token);
    expect(deleted).toMatchObject({ status: 200, body: { success: true } });
    const del = w.graph.requests.filter((r) => r.method === 'DELETE').at(-1)!;
    expect(del.query.get('name')).toBe('order_update');
    expect((await w.server.call('GET', `/template/find/${NAME}`, undefined, phone.token)).body).toEqual([]);
  });
});

async function waitForPost(hook: WebhookReceiver, id: number) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const hit = hook.received.find((r) => r.body?.message_template_id === id);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error('the template status was not forwarded');
    await new Promise((r) => setTimeout(r, 20));
  }
}
