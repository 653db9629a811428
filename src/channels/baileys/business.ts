import type { BusinessOps, CatalogCollection, Product } from '../operations/business.js';
import type { SocketOf } from './operations.js';

/** Business profiles, catalogs and collections, as the library reads them from WhatsApp. */
export function businessOps(sock: SocketOf): BusinessOps {
  const product = (p: Omit<Product, 'imageUrls' | 'currency' | 'isHidden'> & { imageUrls: Record<string, string>; currency?: string; isHidden?: boolean }): Product => ({
    ...p,
    currency: p.currency ?? '',
    isHidden: !!p.isHidden,
    imageUrls: { requested: p.imageUrls.requested ?? '', original: p.imageUrls.original ?? '' },
  });
  return {
    async profile(jid) {
      const p = await sock().getBusinessProfile(jid);
      if (!p) return null;
      return { wid: p.wid ?? jid, description: p.description ?? '', website: p.website ?? [], ...(p.email ? { email: p.email } : {}), ...(p.category ? { category: p.category } : {}), ...(p.address ? { address: p.address } : {}), ...(p.business_hours ? { business_hours: p.business_hours as Record<string, unknown> } : {}) };
    },
    async catalog(jid, limit) {
      const { products } = await sock().getCatalog({ jid, limit });
      return products.map((p) => product(p as never));
    },
    async collections(jid, limit) {
      const { collections } = await sock().getCollections(jid, limit);
      return collections.map((c): CatalogCollection => ({ id: c.id, name: c.name, products: c.products.map((p) => product(p as never)), status: { status: String(c.status?.status ?? ''), canAppeal: !!c.status?.canAppeal } }));
    },
  };
}
