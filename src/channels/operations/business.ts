/** A WhatsApp Business profile, in Baileys' shape. */
export interface BusinessProfile {
  wid: string;
  description: string;
  email?: string;
  website: string[];
  category?: string;
  address?: string;
  business_hours?: Record<string, unknown>;
}

/** A catalog product, in Baileys' shape. */
export interface Product {
  id: string;
  name: string;
  description?: string;
  price: number;
  currency: string;
  isHidden: boolean;
  availability?: string;
  retailerId?: string;
  url?: string;
  imageUrls: { requested: string; original: string };
  reviewStatus: Record<string, string>;
}

export interface CatalogCollection {
  id: string;
  name: string;
  products: Product[];
  status: { status: string; canAppeal: boolean };
}

/** Business profiles, catalogs and collections. */
export interface BusinessOps {
  /** null: the number is not a business account. */
  profile(jid: string): Promise<BusinessProfile | null>;
  catalog(jid: string, limit: number): Promise<Product[]>;
  collections(jid: string, limit: number): Promise<CatalogCollection[]>;
}
