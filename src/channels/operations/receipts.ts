import type { MessageKey } from '../../domain/types.js';

/** Read receipts the instance sends for messages it received. */
export interface ReceiptOps {
  markRead(keys: MessageKey[]): Promise<void>;
}
