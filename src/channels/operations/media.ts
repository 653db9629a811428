/** Media of received messages: downloading their bytes from the network. */
export interface MediaOps {}
