import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetaInstance, metaWorld, type MetaWorld } from './harness.js';
import { VERSION, type PhoneNumber } from '../../sim/graph/fakeGraph.js';
import type { MediaSource, OutboundContent } from '../../src/channels/content.js';
import { optionalOperations } from '../../src/domain/capabilities.js';
import type { LiveInstance } from '../../src/domain/registry.js';

const TO = '5511988887777';
const JID = `${TO}@s.whatsapp.net`;
const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO };

describe('Meta sends: the exact Graph request of every message type', () => {
  let w: MetaWorld;
  let phone: PhoneNumber;
  const NAME = 'meta-send';
  let live: LiveInstance;

  beforeAll(async () => {
    w = await metaWorld();
    w.graph.autoStatuses = [];
    phone = w.graph.addPhone({ id: '109876543210001', display: '15550001111' });
    await createMetaInstance(w, NAME, phone);
    live = w.server.gateway.registry.get(NAME)!;
  });
  afterAll(async () => w?.stop());

  const lastSend = () => w.graph.sent(phone.id).at(-1)!;
  /** Bytes in the media store, uploaded to Graph as the media pipeline does before a send. */
  const uploaded = async (data: Buffer, mimetype: string): Promise<MediaSource> => {
    const saved = await w.server.gateway.media.save(live.id, data, mimetype);
    const source: MediaSource = { storageKey: saved.key, mimetype, fileLength: saved.size, fileSha256: saved.sha256, mediaUrl: await w.server.gateway.media.url(saved.key) };
    Object.assign(source, await optionalOperations(live, 'media')!.upload!({ data, mimetype, fileSha256: saved.sha256 }));
    return source;
  };
  const send = (content: OutboundContent, number = TO) => w.server.gateway.messages.send(live, { number }, content);

  it('text over HTTP: bearer token, the Cloud API body, the wamid as the key, recorded PENDING', async () => {
    const res = await w.server.call('POST', `/message/sendText/${NAME}`, { number: TO, text: 'Olá! https://example.com', linkPreview: true }, phone.token);
    expect(res.status).toBe(201);
    const req = lastSend();
    expect(req.path).toBe(`/${VERSION}/${phone.id}/messages`);
    expect(req.authorization).toBe(`Bearer ${phone.token}`);
    expect(req.body).toEqual({ ...base, type: 'text', text: { preview_url: true, body: 'Olá! https://example.com' } });
    expect(res.body).toMatchObject({ key: { remoteJid: JID, fromMe: true, id: expect.stringMatching(/^wamid\./) }, status: 'PENDING', messageType: 'conversation' });
  });

  it('a reply carries context.message_id', async () => {
    const first = await send({ kind: 'text', text: 'first' });
    await w.server.call('POST', `/message/sendText/${NAME}`, { number: TO, text: 'second', quoted: { key: { id: first.key.id } } }, phone.token);
    expect(lastSend().body).toEqual({ ...base, context: { message_id: first.key.id }, type: 'text', text: { preview_url: false, body: 'second' } });
  });

  it('image, video, document, audio and sticker: uploaded to /media (multipart) and sent by id', async () => {
    const image = await uploaded(Buffer.from('jpeg bytes'), 'image/jpeg');
    const upload = w.graph.requests.filter((r) => r.path === `/${VERSION}/${phone.id}/media`).at(-1)!;
    expect(upload.body.get('messaging_product')).toBe('whatsapp');
    expect(upload.body.get('type')).toBe('image/jpeg');
    expect(Buffer.from(await (upload.body.get('file') as File).arrayBuffer()).toString()).toBe('jpeg bytes');
    expect(image.mediaId).toMatch(/^\d+$/);

    await send({ kind: 'image', media: image, caption: 'the photo' });
    expect(lastSend().body).toEqual({ ...base, type: 'image', image: { id: image.mediaId, caption: 'the photo' } });
    const video = await uploaded(Buffer.from('mp4 bytes'), 'video/mp4');
    await send({ kind: 'video', media: video, caption: 'a clip' });
    expect(lastSend().body).toEqual({ ...base, type: 'video', video: { id: video.mediaId, caption: 'a clip' } });
    const pdf = await uploaded(Buffer.from('%PDF-1.4'), 'application/pdf');
    await send({ kind: 'document', media: pdf, fileName: 'contract.pdf', caption: 'sign it' });
    expect(lastSend().body).toEqual({ ...base, type: 'document', document: { id: pdf.mediaId, caption: 'sign it', filename: 'contract.pdf' } });
    const ogg = await uploaded(Buffer.from('OggS'), 'audio/ogg');
    const voice = await send({ kind: 'audio', media: ogg, voiceNote: true });
    expect(lastSend().body).toEqual({ ...base, type: 'audio', audio: { id: ogg.mediaId } });
    expect(voice.messageType).toBe('audioMessage');
    const webp = await uploaded(Buffer.from('RIFF....WEBP'), 'image/webp');
    await send({ kind: 'sticker', media: webp });
    expect(lastSend().body).toEqual({ ...base, type: 'sticker', sticker: { id: webp.mediaId } });
  });

  it('location, contacts and reaction', async () => {
    await send({ kind: 'location', latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' });
    expect(lastSend().body).toEqual({ ...base, type: 'location', location: { latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578' } });

    const res = await w.server.call('POST', `/message/sendContact/${NAME}`, { number: TO, contact: [{ fullName: 'Ana Souza', wuid: '5511988770001', phoneNumber: '+55 11 98877-0001', organization: 'ACME', email: 'ana@acme.example', url: 'https://acme.example' }] }, phone.token);
    expect(res.status).toBe(201);
    expect(lastSend().body).toEqual({
      ...base,
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Ana Souza', first_name: 'Ana', last_name: 'Souza' }, phones: [{ phone: '+55 11 98877-0001', type: 'CELL', wa_id: '5511988770001' }], org: { company: 'ACME' }, emails: [{ email: 'ana@acme.example', type: 'WORK' }], urls: [{ url: 'https://acme.example', type: 'WORK' }] }],
    });

    const target = await send({ kind: 'text', text: 'react to me' });
    const reacted = await w.server.call('POST', `/message/sendReaction/${NAME}`, { key: { remoteJid: JID, fromMe: true, id: target.key.id }, reaction: '👍' }, phone.token);
    expect(reacted.status).toBe(201);
    expect(lastSend().body).toEqual({ ...base, type: 'reaction', reaction: { message_id: target.key.id, emoji: '👍' } });
  });

  it('interactive reply buttons, a URL button and a list', async () => {
    const res = await w.server.call('POST', `/message/sendButtons/${NAME}`, { number: TO, title: 'Your order', description: 'Confirm the delivery?', footer: 'ACME', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }] }, phone.token);
    expect(res.status).toBe(201);
    expect(lastSend().body).toEqual({ ...base, type: 'interactive', interactive: { type: 'button', header: { type: 'text', text: 'Your order' }, body: { text: 'Confirm the delivery?' }, footer: { text: 'ACME' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } } });

    await send({ kind: 'buttons', description: 'Track it', buttons: [{ type: 'url', displayText: 'Track', url: 'https://acme.example/t/1' }] });
    expect(lastSend().body).toEqual({ ...base, type: 'interactive', interactive: { type: 'cta_url', body: { text: 'Track it' }, action: { name: 'cta_url', parameters: { display_text: 'Track', url: 'https://acme.example/t/1' } } } });

    const before = w.graph.sent(phone.id).length;
    const mixed = await w.server.call('POST', `/message/sendButtons/${NAME}`, { number: TO, title: 't', description: 'd', buttons: [{ type: 'reply', displayText: 'A', id: 'a' }, { type: 'url', displayText: 'B', url: 'https://b.example' }] }, phone.token);
    expect(mixed.status).toBe(400);
    expect(w.graph.sent(phone.id).length).toBe(before);

    const list = await w.server.call('POST', `/message/sendList/${NAME}`, { number: TO, title: 'Menu', description: 'Pick one', buttonText: 'Open', footerText: 'ACME', sections: [{ title: 'Mains', rows: [{ title: 'Pizza', description: 'hot', rowId: 'pizza' }, { title: 'Sushi', rowId: 'sushi' }] }] }, phone.token);
    expect(list.status).toBe(201);
    expect(lastSend().body).toEqual({ ...base, type: 'interactive', interactive: { type: 'list', header: { type: 'text', text: 'Menu' }, body: { text: 'Pick one' }, footer: { text: 'ACME' }, action: { button: 'Open', sections: [{ title: 'Mains', rows: [{ id: 'pizza', title: 'Pizza', description: 'hot' }, { id: 'sushi', title: 'Sushi' }] }] } } });
  });

  it('mark as read', async () => {
    const res = await w.server.call('POST', `/chat/markMessageAsRead/${NAME}`, { readMessages: [{ id: 'wamid.INBOUND1', fromMe: false, remoteJid: JID }] }, phone.token);
    expect(res.status).toBe(201);
    expect(lastSend().body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.INBOUND1' });
  });

  it("Graph's refusal is upstream's Meta-style 400 and nothing is stored", async () => {
    w.graph.fail({ status: 400, pathEndsWith: '/messages', error: { message: '(#131009) Parameter value is not valid', type: 'OAuthException', code: 131009, error_subcode: 2494010, error_user_title: 'Invalid parameter', error_user_msg: 'The recipient is not a valid WhatsApp user', fbtrace_id: 'AbCdEf' } });
    const res = await w.server.call('POST', `/message/sendText/${NAME}`, { number: TO, text: 'refused' }, phone.token);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toMatchObject({ status: 400, error: 'Bad Request', message: 'Invalid parameter', details: { whatsapp_error: 'The recipient is not a valid WhatsApp user', whatsapp_code: 131009, error_subcode: 2494010, fbtrace_id: 'AbCdEf', type: 'whatsapp_api_error' } });
    const found = await w.server.call('POST', `/chat/findMessages/${NAME}`, { where: { key: { remoteJid: JID } } });
    expect(found.body.messages.records.some((m: any) => m.message?.conversation === 'refused')).toBe(false);
  });

  it('what the Cloud API cannot send is refused before Graph: polls, edits, deletes, status, PTV', async () => {
    const before = w.graph.sent(phone.id).length;
    const poll = await w.server.call('POST', `/message/sendPoll/${NAME}`, { number: TO, name: 'Lunch?', values: ['a', 'b'], selectableCount: 1 }, phone.token);
    expect(poll.status).toBe(501);
    expect(w.graph.sent(phone.id).length).toBe(before);
  });
});

describe('Meta sends by link (WA_BUSINESS_MEDIA_UPLOAD=false) and the default template language', () => {
  let w: MetaWorld;
  let phone: PhoneNumber;
  const NAME = 'meta-link';

  beforeAll(async () => {
    w = await metaWorld({ WA_BUSINESS_MEDIA_UPLOAD: 'false', WA_BUSINESS_LANGUAGE: 'pt_BR' });
    w.graph.autoStatuses = [];
    phone = w.graph.addPhone({ id: '109876543210009', display: '15550009991' });
    await createMetaInstance(w, NAME, phone);
  });
  afterAll(async () => w?.stop());

  it('media goes as a link to the media store, which serves the bytes; nothing is uploaded', async () => {
    const live = w.server.gateway.registry.get(NAME)!;
    const data = Buffer.from('a pdf by link');
    const saved = await w.server.gateway.media.save(live.id, data, 'application/pdf');
    const source: MediaSource = { storageKey: saved.key, mimetype: 'application/pdf', fileLength: saved.size, fileSha256: saved.sha256, mediaUrl: await w.server.gateway.media.url(saved.key) };
    Object.assign(source, await optionalOperations(live, 'media')!.upload!({ data, mimetype: 'application/pdf', fileSha256: saved.sha256 }));
    expect(source.mediaId).toBeUndefined();
    await w.server.gateway.messages.send(live, { number: TO }, { kind: 'document', media: source, fileName: 'a.pdf' });
    const body = w.graph.sent(phone.id).at(-1)!.body;
    expect(body).toEqual({ ...base, type: 'document', document: { link: source.mediaUrl, filename: 'a.pdf' } });
    expect(w.graph.requests.some((r) => r.path.endsWith('/media'))).toBe(false);
    expect(Buffer.from(await (await fetch(body.document.link)).arrayBuffer()).equals(data)).toBe(true);
  });

  it('a template send without a language uses WA_BUSINESS_LANGUAGE', async () => {
    const live = w.server.gateway.registry.get(NAME)!;
    w.graph.templates.set(phone.businessId, [{ id: '1500000000000009', name: 'ola', language: 'pt_BR', category: 'UTILITY', status: 'APPROVED', components: [{ type: 'BODY', text: 'Olá' }] }]);
    await w.server.gateway.messages.send(live, { number: TO }, { kind: 'template', name: 'ola', language: '' });
    expect(w.graph.sent(phone.id).at(-1)!.body.template).toEqual({ name: 'ola', language: { code: 'pt_BR' } });
  });
});
