/** Voice and video calls. */
export interface CallOps {}
