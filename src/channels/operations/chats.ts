/** Chat state kept on the network: archive, unread, block lists. */
export interface ChatOps {}
