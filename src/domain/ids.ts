import { randomFillSync, randomUUID } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Random bytes drawn from a refilled pool: one getrandom call per 4 KB instead of one per id. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;
function random(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += n;
  return pool.subarray(poolOffset - n, poolOffset);
}

/** A cuid-like id (25 chars, starts with "c", roughly time-ordered) as upstream uses for database rows. */
export function rowId(): string {
  const time = Date.now().toString(36).padStart(9, '0');
  let rand = '';
  for (const b of random(15)) rand += ALPHABET[b % 36];
  return `c${time}${rand}`;
}

/** A WhatsApp Web style message id: 3EB0 followed by 16 upper-case hex digits. */
export function messageKeyId(): string {
  return `3EB0${random(8).toString('hex').toUpperCase()}`;
}

export function instanceId(): string {
  return randomUUID();
}

export function instanceToken(): string {
  return randomUUID().toUpperCase();
}

export function nowIso(): string {
  return new Date().toISOString();
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
