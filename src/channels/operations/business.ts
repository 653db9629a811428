/** Business catalogs and collections. */
export interface BusinessOps {}
