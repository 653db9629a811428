import { getBinaryNodeChild } from 'baileys';
import type { BinaryNode } from './types.js';

/** A retry receipt a client sent: it could not decrypt message `id` from `to`. */
export interface RetryRecord {
  /** The device that asked (its connection's JID). */
  from: string;
  to: string;
  id: string;
  count: number;
}

/** Every retry receipt the simulator saw; an ordinary test asserts there is none. */
export class RetryRecorder {
  readonly seen: RetryRecord[] = [];
  private readonly waiters: ((r: RetryRecord) => void)[] = [];

  record(node: BinaryNode, from: string): void {
    const retry = getBinaryNodeChild(node, 'retry');
    const r: RetryRecord = { from, to: node.attrs.to ?? '', id: node.attrs.id ?? '', count: Number(retry?.attrs.count ?? 1) };
    this.seen.push(r);
    for (const w of this.waiters.splice(0)) w(r);
  }

  /** The next retry receipt (or one already seen for `id`). */
  next(id?: string, timeoutMs = 10_000): Promise<RetryRecord> {
    const found = this.seen.find((r) => id === undefined || r.id === id);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no retry receipt')), timeoutMs);
      const wait = (r: RetryRecord) => {
        if (id !== undefined && r.id !== id) return void this.waiters.push(wait);
        clearTimeout(timer);
        resolve(r);
      };
      this.waiters.push(wait);
    });
  }
}
