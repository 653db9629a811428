import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../../driver.js';
import type { SandboxDriver } from '../driver.js';
import { controlRoute, sandboxResolver } from '../routes.js';
import { Obj } from '../../../http/schemas.js';
import { badRequest, notFound } from '../../../domain/errors.js';
import type { CatalogCollection, Product } from '../../operations/business.js';
import type { SandboxBusiness } from '../directory.js';
import { savePhoneState } from '../phoneState.js';

const Phone = Type.String({ pattern: '^\\d{8,15}$', description: 'digits only' });
const ProductInput = Obj({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  name: Type.String({ minLength: 1, maxLength: 255 }),
  description: Type.Optional(Type.String()),
  price: Type.Integer({ minimum: 0, description: 'In thousandths of the currency unit, as WhatsApp keeps it (12990 = 12.99)' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  isHidden: Type.Optional(Type.Boolean()),
  imageUrl: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  retailerId: Type.Optional(Type.String()),
});
const BusinessBody = Obj({
  number: Type.Optional(Phone),
  profile: Type.Union([
    Obj({ description: Type.String(), email: Type.Optional(Type.String()), website: Type.Optional(Type.Array(Type.String())), category: Type.Optional(Type.String()), address: Type.Optional(Type.String()), business_hours: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }),
    Type.Null(),
  ], { description: 'null: a personal account again' }),
  products: Type.Optional(Type.Array(ProductInput, { maxItems: 500 })),
  collections: Type.Optional(Type.Array(Obj({ id: Type.Optional(Type.String({ minLength: 1 })), name: Type.String({ minLength: 1 }), productIds: Type.Array(Type.String()) }), { maxItems: 50 })),
});
const LabelBody = Obj({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'An existing label to rename, recolour or delete; omitted: a new label' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  color: Type.Optional(Type.Integer({ minimum: 0, maximum: 19 })),
  deleted: Type.Optional(Type.Boolean()),
});
type P = { instanceName: string };

function product(p: Static<typeof ProductInput>, i: number): Product {
  const image = p.imageUrl ?? '';
  return {
    id: p.id ?? String(1000000000000000 + i),
    name: p.name,
    ...(p.description !== undefined ? { description: p.description } : {}),
    price: p.price,
    currency: p.currency,
    isHidden: p.isHidden ?? false,
    availability: 'in stock',
    ...(p.retailerId !== undefined ? { retailerId: p.retailerId } : {}),
    ...(p.url !== undefined ? { url: p.url } : {}),
    imageUrls: { requested: image, original: image },
    reviewStatus: { whatsapp: 'APPROVED' },
  };
}

/**
 * What a phone's owner or a contact does outside the API: set up a business profile and catalog, edit labels in the
 * app. Also the network's picture server: profile picture URLs point here, as WhatsApp's point at its CDN.
 */
export function contactControls(app: FastifyInstance, { gateway, guards }: DriverRouteContext, driver: SandboxDriver): void {
  const sandboxOf = sandboxResolver(gateway, driver);
  const base = controlRoute(guards);
  const { directory } = driver.network;
  directory.pictureBase = () => gateway.config.server.url ?? `http://127.0.0.1:${(app.server.address() as AddressInfo | null)?.port ?? gateway.config.server.port}`;

  app.get<{ Params: { number: string; file: string } }>('/sandbox/picture/:number/:file', { schema: { tags: ['sandbox'], summary: 'A profile picture (public, as WhatsApp CDN links are)', hide: true } as never }, async (request, reply) => {
    const jpeg = directory.picture(request.params.number, request.params.file.replace(/\.jpg$/, ''));
    if (!jpeg) throw notFound('No such picture');
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=86400, immutable').send(jpeg);
  });

  app.post<{ Params: P; Body: Static<typeof BusinessBody> }>('/sandbox/business/:instanceName', base("Makes the instance's phone (or a simulated contact's `number`) a business account with a catalog", BusinessBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const number = request.body.number ?? channel.number;
    if (!number) throw badRequest('The instance has no number yet: scan its QR code first');
    const b = request.body;
    if (b.profile === null) {
      directory.entry(number).business = null;
    } else {
      const products = (b.products ?? []).map(product);
      const byId = new Map(products.map((p) => [p.id, p]));
      const collections: CatalogCollection[] = (b.collections ?? []).map((c, i) => {
        const missing = c.productIds.filter((id) => !byId.has(id));
        if (missing.length) throw badRequest(`collections[${i}] names unknown products: ${missing.join(', ')}`);
        return { id: c.id ?? String(2000000000000000 + i), name: c.name, products: c.productIds.map((id) => byId.get(id)!), status: { status: 'APPROVED', canAppeal: true } };
      });
      const business: SandboxBusiness = { profile: { website: [], ...b.profile }, products, collections };
      directory.entry(number).business = business;
    }
    // The instance's own phone keeps its business profile across restarts; a simulated contact's lives with the network.
    if (number === channel.number) await savePhoneState(channel);
    reply.status(201);
    return { number, business: directory.business(number) };
  });

  app.post<{ Params: P; Body: Static<typeof LabelBody> }>('/sandbox/labels/:instanceName', base('The phone app adds, edits or deletes a label (labels.edit)', LabelBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const label = await gateway.instances.channelCall(() => channel.labels.edit(request.body));
    reply.status(201);
    return label;
  });
}
