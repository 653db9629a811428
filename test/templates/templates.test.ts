import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

const SHOP = '5511966660001';
const PEER = '5511966660002';

const orderUpdate = (name = 'order_update', language = 'en_US') => ({
  name,
  category: 'UTILITY',
  language,
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1'] } },
    { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}.', example: { body_text: [['Ana', 'on its way']] } },
    { type: 'FOOTER', text: 'Thanks for shopping with us' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example.com/track/{{1}}', example: ['https://shop.example.com/track/1'] }, { type: 'QUICK_REPLY', text: 'Stop' }] },
  ],
});

const sendParams = (name: string, customer: string) => ({
  number: PEER,
  name,
  language: 'en_US',
  components: [
    { type: 'header', parameters: [{ type: 'text', text: '#1234' }] },
    { type: 'body', parameters: [{ type: 'text', text: customer }, { type: 'text', text: 'on its way' }] },
    { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '1234' }] },
  ],
});

/** Upstream's Meta-style 400, checked field by field. */
function expectMetaError(res: { status: number; body: any }, context: string, code: number, title: string, subcode: number | null = null): void {
  expect(res.status).toBe(400);
  expect(Object.keys(res.body).sort()).toEqual(['details', 'error', 'message', 'status', 'timestamp']);
  expect(res.body).toMatchObject({ status: 400, error: 'Bad Request', message: title });
  expect(Object.keys(res.body.details).sort()).toEqual(['context', 'error_subcode', 'error_type', 'error_user_msg', 'error_user_title', 'fbtrace_id', 'type', 'whatsapp_code', 'whatsapp_error']);
  expect(res.body.details).toMatchObject({ whatsapp_code: code, error_user_title: title, error_type: 'OAuthException', error_subcode: subcode, context, type: 'whatsapp_api_error' });
  expect(res.body.details.whatsapp_error).toBe(res.body.details.error_user_msg);
  expect(res.body.details.error_user_msg.length).toBeGreaterThan(10);
  expect(res.body.details.fbtrace_id).toMatch(/^[\w-]{8,}$/);
  expect(Number.isNaN(Date.parse(res.body.timestamp))).toBe(false);
}

describe('message templates on a sandbox business account, sent to another sandbox instance', () => {
  let server: TestServer;
  const shopHook = new WebhookReceiver();
  const peerHook = new WebhookReceiver();
  let shop = '';
  let peer = '';

  beforeAll(async () => {
    await Promise.all([shopHook.start(), peerHook.start()]);
    server = await startTestServer();
    shop = await connectedSandbox(server, 'shop', SHOP, { webhook: { url: shopHook.url, events: ['SEND_MESSAGE'] } });
    peer = await connectedSandbox(server, 'peer', PEER, { webhook: { url: peerHook.url, events: ['MESSAGES_UPSERT'] } });
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([shopHook.stop(), peerHook.stop()]);
  });

  const listed = async () => (await server.call('GET', '/template/find/shop', undefined, shop)).body as any[];
  const statusOf = async (name: string, language = 'en_US') => (await listed()).find((t) => t.name === name && t.language === language)?.status;

  it('find answers an empty Graph data array before any template exists', async () => {
    const res = await server.call('GET', '/template/find/shop', undefined, shop);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('create refuses what Graph refuses, in the Meta-style 400', async () => {
    const cases: Array<[unknown, number, string]> = [
      [{ ...orderUpdate(), name: 'Order Update' }, 2388042, 'Invalid template name'],
      [{ ...orderUpdate(), language: 'english' }, 2388045, 'Invalid language'],
      [{ ...orderUpdate(), components: [{ type: 'FOOTER', text: 'no body' }] }, 2388040, 'Missing template body'],
      [{ ...orderUpdate(), components: [{ type: 'BODY', text: 'Hi {{1}}' }] }, 2388041, 'Missing sample values'],
      [{ ...orderUpdate(), components: [{ type: 'BODY', text: 'Hi {{1}} and {{3}}', example: { body_text: [['a', 'b']] } }] }, 2388293, 'Variables are not numbered in order'],
      [{ ...orderUpdate(), components: [{ type: 'BODY', text: 'Hi {{1}} {{2}}', example: { body_text: [['only one']] } }] }, 2388041, 'Missing sample values'],
      [{ ...orderUpdate(), components: [{ type: 'BODY', text: 'x' }, { type: 'CAROUSEL' }] }, 2388047, 'Invalid component'],
    ];
    for (const [body, subcode, title] of cases) {
      const res = await server.call('POST', '/template/create/shop', body, shop);
      expectMetaError(res, 'template_creation', 100, title, subcode);
    }
    expect(await listed()).toEqual([]);
    expect(await server.gateway.repos.templates.list(server.gateway.registry.get('shop')!.id)).toEqual([]);
  });

  it('create answers the Template row; the template is PENDING, then APPROVED after review', async () => {
    const res = await server.call('POST', '/template/create/shop', { ...orderUpdate(), webhookUrl: 'http://127.0.0.1:9/status' }, shop);
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'instanceId', 'name', 'template', 'templateId', 'updatedAt', 'webhookUrl']);
    expect(res.body).toMatchObject({ name: 'order_update', webhookUrl: 'http://127.0.0.1:9/status', instanceId: server.gateway.registry.get('shop')!.id });
    expect(res.body.templateId).toMatch(/^\d{15,17}$/);
    expect(res.body.template).toEqual({ id: res.body.templateId, status: 'PENDING', category: 'UTILITY' });

    const [first] = await listed();
    expect(first).toEqual({ name: 'order_update', parameter_format: 'POSITIONAL', components: orderUpdate().components, language: 'en_US', status: 'PENDING', category: 'UTILITY', id: res.body.templateId });
    await waitFor(async () => (await statusOf('order_update')) === 'APPROVED', 3000, 'approval');
  });

  it('the same name in the same language is refused; in another language it is another template', async () => {
    expectMetaError(await server.call('POST', '/template/create/shop', orderUpdate(), shop), 'template_creation', 100, 'Content in this language already exists', 2388024);
    const pt = await server.call('POST', '/template/create/shop', orderUpdate('order_update', 'pt_BR'), shop);
    expect(pt.status).toBe(201);
    expect((await listed()).map((t) => `${t.name}/${t.language}`)).toEqual(['order_update/en_US', 'order_update/pt_BR']);
  });

  it('sendTemplate delivers the hydrated template to the peer instance, recorded and announced on both sides', async () => {
    const res = await server.call('POST', '/message/sendTemplate/shop', sendParams('order_update', 'Ana'), shop);
    expect(res.status).toBe(201);
    const templateId = (await listed()).find((t) => t.language === 'en_US')!.id;
    const hydrated = {
      templateId,
      hydratedTemplate: {
        templateId,
        hydratedTitleText: 'Order #1234',
        hydratedContentText: 'Hi Ana, your order is on its way.',
        hydratedFooterText: 'Thanks for shopping with us',
        hydratedButtons: [
          { index: 0, urlButton: { displayText: 'Track', url: 'https://shop.example.com/track/1234' } },
          { index: 1, quickReplyButton: { displayText: 'Stop', id: `${templateId}-1` } },
        ],
      },
    };
    expect(res.body).toMatchObject({ key: { remoteJid: `${PEER}@s.whatsapp.net`, fromMe: true }, status: 'PENDING', messageType: 'templateMessage', message: { templateMessage: hydrated }, source: 'web' });

    const sent = await shopHook.waitForEvent('send.message', (r) => r.body.data.key.id === res.body.key.id);
    expect(sent.body.instance).toBe('shop');
    expect(sent.body.data).toMatchObject({ key: res.body.key, messageType: 'templateMessage', message: { templateMessage: hydrated } });

    const got = await peerHook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === res.body.key.id);
    expect(got.body.instance).toBe('peer');
    expect(got.body.data).toMatchObject({ key: { remoteJid: `${SHOP}@s.whatsapp.net`, fromMe: false, id: res.body.key.id }, messageType: 'templateMessage', message: { templateMessage: hydrated }, source: 'web' });
    expect(got.body.data.pushName).toBeTruthy();
  });

  it('sendTemplate refuses an unknown template, a pending one and a wrong parameter count, Meta-style', async () => {
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', { ...sendParams('no_such_template', 'Ana') }, shop), 'template_send', 132001, 'Template does not exist');
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', { ...sendParams('order_update', 'Ana'), language: 'de_DE' }, shop), 'template_send', 132001, 'Template does not exist');
    expect((await server.call('POST', '/template/create/shop', orderUpdate('fresh_one'), shop)).status).toBe(201);
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', sendParams('fresh_one', 'Ana'), shop), 'template_send', 132001, 'Template is not approved');
    const short = sendParams('order_update', 'Ana');
    short.components[1]!.parameters = [{ type: 'text', text: 'Ana' }];
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', short, shop), 'template_send', 132000, 'Number of parameters does not match');
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', { number: PEER, name: 'order_update', language: 'en_US' }, shop), 'template_send', 132000, 'Number of parameters does not match');
    // nothing went out
    expect(peerHook.events('messages.upsert')).toHaveLength(1);
  });

  it('edit changes a template and sends it back to review; an unknown id is refused', async () => {
    expectMetaError(await server.call('POST', '/template/edit/shop', { templateId: '999', components: [{ type: 'BODY', text: 'x' }] }, shop), 'template_edit', 100, 'Template not found', 33);
    const id = (await listed()).find((t) => t.name === 'order_update' && t.language === 'en_US')!.id;
    expectMetaError(await server.call('POST', '/template/edit/shop', { templateId: id, components: [{ type: 'HEADER', format: 'TEXT', text: 'no body' }] }, shop), 'template_edit', 100, 'Missing template body', 2388040);
    expectMetaError(await server.call('POST', '/template/edit/shop', { templateId: id, category: 'MARKETING' }, shop), 'template_edit', 100, 'Category cannot change', 2388299);

    const res = await server.call('POST', '/template/edit/shop', { templateId: id, components: [{ type: 'BODY', text: 'Dear {{1}}, it shipped.', example: { body_text: [['Ana']] } }] }, shop);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
    expect(await statusOf('order_update')).toBe('PENDING');
    await waitFor(async () => (await statusOf('order_update')) === 'APPROVED', 3000, 'approval after edit');
    const sent = await server.call('POST', '/message/sendTemplate/shop', { number: PEER, name: 'order_update', language: 'en_US', components: [{ type: 'body', parameters: [{ type: 'text', text: 'Bia' }] }] }, shop);
    expect(sent.status).toBe(201);
    const got = await peerHook.waitForEvent('messages.upsert', (r) => r.body.data.key.id === sent.body.key.id);
    expect(got.body.data.message.templateMessage.hydratedTemplate).toEqual({ templateId: id, hydratedContentText: 'Dear Bia, it shipped.', hydratedButtons: [] });
  });

  it('templates outlive a restart of the gateway', async () => {
    const before = await listed();
    const dir = server.dir;
    const env = server.env;
    await server.stop({ keepData: true });
    server = await startTestServer(env, dir);
    expect(await listed()).toEqual(before);
  });

  it('delete removes one language by hsmId or every language by name; unknown names are refused', async () => {
    expectMetaError(await server.call('DELETE', '/template/delete/shop', { name: 'never_created' }, shop), 'template_delete', 100, 'Template not found', 2593002);
    const pt = (await listed()).find((t) => t.language === 'pt_BR')!;
    const one = await server.call('DELETE', '/template/delete/shop', { name: 'order_update', hsmId: pt.id }, shop);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ success: true });
    expect((await listed()).map((t) => `${t.name}/${t.language}`)).toEqual(['order_update/en_US', 'fresh_one/en_US']);

    const all = await server.call('DELETE', '/template/delete/shop', { name: 'order_update' }, shop);
    expect(all.body).toEqual({ success: true });
    expect((await listed()).map((t) => t.name)).toEqual(['fresh_one']);
    expect((await server.gateway.repos.templates.list(server.gateway.registry.get('shop')!.id)).map((t) => t.name)).toEqual(['fresh_one']);
    expectMetaError(await server.call('POST', '/message/sendTemplate/shop', sendParams('order_update', 'Ana'), shop), 'template_send', 132001, 'Template does not exist');
  });

  it('each instance has its own account: the peer sees none of the shop templates', async () => {
    expect((await server.call('GET', '/template/find/peer', undefined, peer)).body).toEqual([]);
  });

  it('malformed bodies: the template routes answer Meta-style as upstream does, sendTemplate in the usual shape', async () => {
    const create = await server.call('POST', '/template/create/shop', { name: 'x', category: 'PROMO', language: 'en_US' }, shop);
    expect(create.status).toBe(400);
    const both = 'instance requires property "components"; category is not one of enum values: AUTHENTICATION,MARKETING,UTILITY';
    const either = [both, 'category is not one of enum values: AUTHENTICATION,MARKETING,UTILITY; instance requires property "components"'];
    expect(either).toContain(create.body.message);
    expect(create.body.details).toEqual({ whatsapp_error: create.body.message, whatsapp_code: 'UNKNOWN_ERROR', error_user_title: create.body.message, error_user_msg: create.body.message, error_type: 'UNKNOWN', error_subcode: null, fbtrace_id: null, context: 'template_creation', type: 'whatsapp_api_error' });
    const edit = await server.call('POST', '/template/edit/shop', { templateId: '' }, shop);
    expect(edit.status).toBe(400);
    expect(edit.body).toMatchObject({ status: 400, error: 'Bad Request', message: 'The "templateId" cannot be empty', details: { context: 'template_edit' } });
    const del = await server.call('DELETE', '/template/delete/shop', {}, shop);
    expect(del.body).toMatchObject({ status: 400, message: 'instance requires property "name"', details: { context: 'template_delete', type: 'whatsapp_api_error' } });
    const notJson = await server.call('POST', '/template/create/shop', '{"name": ', shop, { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Body is not valid JSON'] } });
    const send = await server.call('POST', '/message/sendTemplate/shop', { number: PEER, name: 1 }, shop);
    expect(send.status).toBe(400);
    expect(send.body).toEqual({ status: 400, error: 'Bad Request', response: { message: expect.arrayContaining(['instance requires property "language"', 'name is not of a type(s) string']) } });
  });

  it("another instance's token is 401 and an unknown instance 404 on every template route", async () => {
    const routes: Array<[string, string, unknown]> = [
      ['POST', '/template/create/shop', orderUpdate('other')],
      ['GET', '/template/find/shop', undefined],
      ['POST', '/template/edit/shop', { templateId: '1' }],
      ['DELETE', '/template/delete/shop', { name: 'fresh_one' }],
      ['POST', '/message/sendTemplate/shop', sendParams('fresh_one', 'x')],
    ];
    for (const [method, path, body] of routes) {
      expect((await server.call(method, path, body, peer)).status, path).toBe(401);
      const unknown = await server.call(method, path.replace('/shop', '/ghost'), body);
      expect(unknown.status, path).toBe(404);
      expect(unknown.body.response.message).toEqual(['The "ghost" instance does not exist']);
    }
    expect((await listed()).map((t) => t.name)).toEqual(['fresh_one']);
  });
});
