import type { MessageKey } from '../../domain/types.js';

/** Receipts the instance sends for messages it received. */
export interface ReceiptOps {
  /** Read receipts (blue ticks): each sender sees READ. */
  markRead(keys: MessageKey[]): Promise<void>;
  /** Played receipts for voice notes and videos (blue microphone): each sender sees PLAYED. */
  markPlayed(keys: MessageKey[]): Promise<void>;
}
