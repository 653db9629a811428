import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, expectGuarded, type Pair } from './pair.js';

const PROFILE = { description: 'Fresh bread every morning', email: 'hello@bakery.test', website: ['https://bakery.test'], category: 'Bakery', address: 'Rua A, 1' };
const PRODUCTS = [
  { id: 'p1', name: 'Sourdough', price: 12990, currency: 'BRL', description: 'Naturally leavened', imageUrl: 'https://bakery.test/p1.jpg' },
  { id: 'p2', name: 'Baguette', price: 6500, currency: 'BRL' },
  { id: 'p3', name: 'Secret recipe', price: 99000, currency: 'BRL', isHidden: true },
];

describe('business profiles and catalogs', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair('biz', ['5511970000021', '5511970000022']);
  });
  afterAll(() => pair?.stop());

  it("a phone becomes a business: others see its business profile, catalog (hidden products are the owner's) and collections", async () => {
    const { server, a, b } = pair;
    const set = await server.call('POST', `/sandbox/business/${a.name}`, { profile: PROFILE, products: PRODUCTS, collections: [{ id: 'c1', name: 'Breads', productIds: ['p1', 'p2'] }, { id: 'c2', name: 'Everything', productIds: ['p1', 'p2', 'p3'] }] });
    expect(set.status).toBe(201);

    const profile = await server.call('POST', `/chat/fetchBusinessProfile/${b.name}`, { number: a.number }, b.token);
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({ isBusiness: true, wid: a.jid, ...PROFILE });
    const seen = await server.call('POST', `/chat/fetchProfile/${b.name}`, { number: a.number }, b.token);
    expect(seen.body).toMatchObject({ isBusiness: true, email: PROFILE.email, description: PROFILE.description, website: 'https://bakery.test' });

    const catalog = await server.call('POST', `/business/getCatalog/${b.name}`, { number: a.number }, b.token);
    expect(catalog.status).toBe(200);
    expect(Object.keys(catalog.body).sort()).toEqual(['catalog', 'catalogLength', 'isBusiness', 'numberExists', 'wuid']);
    expect(catalog.body).toMatchObject({ wuid: a.jid, numberExists: true, isBusiness: true, catalogLength: 2 });
    expect(catalog.body.catalog[0]).toEqual({ id: 'p1', name: 'Sourdough', description: 'Naturally leavened', price: 12990, currency: 'BRL', isHidden: false, availability: 'in stock', imageUrls: { requested: 'https://bakery.test/p1.jpg', original: 'https://bakery.test/p1.jpg' }, reviewStatus: { whatsapp: 'APPROVED' } });
    expect(catalog.body.catalog.map((p: { id: string }) => p.id)).toEqual(['p1', 'p2']);
    // The owner sees its hidden product too; `limit` pages of upstream's reader (up to five pages).
    const own = await server.call('POST', `/business/getCatalog/${a.name}`, {}, a.token);
    expect(own.body).toMatchObject({ wuid: a.jid, catalogLength: 3 });
    expect((await server.call('POST', `/business/getCatalog/${a.name}`, { limit: 1 }, a.token)).body.catalogLength).toBe(3);

    const collections = await server.call('POST', `/business/getCollections/${b.name}`, { number: a.number, limit: 1 }, b.token);
    expect(collections.status).toBe(200);
    expect(Object.keys(collections.body).sort()).toEqual(['collections', 'collectionsLength', 'isBusiness', 'name', 'numberExists', 'wuid']);
    expect(collections.body).toMatchObject({ wuid: a.jid, name: 'Alice', numberExists: true, isBusiness: true, collectionsLength: 1 });
    expect(collections.body.collections).toEqual([{ id: 'c1', name: 'Breads', products: [expect.objectContaining({ id: 'p1' }), expect.objectContaining({ id: 'p2' })], status: { status: 'APPROVED', canAppeal: true } }]);
    const all = await server.call('POST', `/business/getCollections/${b.name}`, { number: a.number }, b.token);
    expect(all.body.collections[1].products.map((p: { id: string }) => p.id)).toEqual(['p1', 'p2']);
  });

  it('a simulated contact can be a business; a personal account is not', async () => {
    const { server, a, b } = pair;
    const contact = '5511970000088';
    await server.call('POST', `/sandbox/business/${a.name}`, { number: contact, profile: { description: 'Plumber' }, products: [{ id: 'x', name: 'Visit', price: 50000, currency: 'BRL' }] });
    expect((await server.call('POST', `/chat/fetchBusinessProfile/${b.name}`, { number: contact }, b.token)).body).toEqual({ isBusiness: true, wid: `${contact}@s.whatsapp.net`, description: 'Plumber', website: [] });
    expect((await server.call('POST', `/business/getCatalog/${b.name}`, { number: contact }, b.token)).body).toMatchObject({ isBusiness: true, catalogLength: 1 });

    const personal = await server.call('POST', `/chat/fetchBusinessProfile/${a.name}`, { number: b.number }, a.token);
    expect(personal.body).toEqual({ isBusiness: false, message: 'Not is business profile', jid: b.jid, exists: true, number: b.number, name: 'Bob' });
    expect((await server.call('POST', `/business/getCatalog/${a.name}`, { number: b.number }, a.token)).body).toEqual({ wuid: b.jid, numberExists: true, isBusiness: false, catalogLength: 0, catalog: [] });

    const unknown = await server.call('POST', `/sandbox/business/${a.name}`, { profile: { description: 'x' }, collections: [{ name: 'c', productIds: ['nope'] }] });
    expect(unknown.status).toBe(400);
  });

  it('errors are Meta-style 400s (validation included); guards answer as everywhere', async () => {
    const { server, a } = pair;
    const missing = await server.call('POST', `/business/getCatalog/${a.name}`, { number: '0001234567' }, a.token);
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body).sort()).toEqual(['details', 'error', 'message', 'status', 'timestamp']);
    expect(missing.body).toMatchObject({ status: 400, error: 'Bad Request' });
    expect(missing.body.details).toEqual({ whatsapp_error: missing.body.message, whatsapp_code: 'UNKNOWN_ERROR', error_user_title: missing.body.message, error_user_msg: missing.body.message, error_type: 'UNKNOWN', error_subcode: null, fbtrace_id: null, context: 'business_catalog', type: 'whatsapp_api_error' });
    expect(JSON.parse(missing.body.message)).toEqual({ jid: '0001234567@s.whatsapp.net', exists: false, number: '0001234567' });
    expect(Date.parse(missing.body.timestamp)).not.toBeNaN();

    const bad = await server.call('POST', `/business/getCollections/${a.name}`, { limit: 'ten' }, a.token);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toBe('limit is not of a type(s) number');
    expect(bad.body.details.context).toBe('business_collections');

    await expectGuarded(pair, 'POST', '/business/getCatalog', {});
    await expectGuarded(pair, 'POST', '/business/getCollections', {});
  });
});
