import type { BusinessOps } from '../channel.js';
import type { BusinessProfile, CatalogCollection, Product } from '../operations/business.js';
import { jidUser } from '../../domain/jid.js';
import type { SandboxChannel } from './channel.js';

/** Business profiles and catalogs of sandbox phones and simulated contacts, as set through the control routes. */
export class SandboxBusiness implements BusinessOps {
  constructor(private readonly phone: SandboxChannel) {}

  private of(jid: string) {
    return this.phone.opts.network.directory.business(jidUser(jid));
  }

  async profile(jid: string): Promise<BusinessProfile | null> {
    this.phone.assertOpen();
    const b = this.of(jid);
    return b ? { wid: `${jidUser(jid)}@s.whatsapp.net`, ...b.profile } : null;
  }

  /** Hidden products are the owner's alone, as on WhatsApp. */
  async catalog(jid: string, limit: number): Promise<Product[]> {
    this.phone.assertOpen();
    return this.visible(jid, this.of(jid)?.products ?? []).slice(0, limit);
  }

  async collections(jid: string, limit: number): Promise<CatalogCollection[]> {
    this.phone.assertOpen();
    return (this.of(jid)?.collections ?? []).slice(0, limit).map((c) => ({ ...c, products: this.visible(jid, c.products) }));
  }

  private visible(jid: string, products: Product[]): Product[] {
    return jidUser(jid) === this.phone.number ? products : products.filter((p) => !p.isHidden);
  }
}
