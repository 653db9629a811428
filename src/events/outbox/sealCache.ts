import type { SecretBox } from '../../security/secrets.js';

/**
 * Memoized sealing and opening of webhook secrets and headers. Sealing draws a fresh IV, so without this every outbox
 * row would cost an AES-GCM encryption and every send a decryption, although a handful of distinct values are shared by
 * all rows. Equal plaintexts get one ciphertext (the rows stay encrypted at rest); bounded, cleared when full.
 */
export class SealCache {
  private readonly sealed = new Map<string, string>();
  private readonly opened = new Map<string, string>();

  constructor(private readonly box: SecretBox, private readonly max = 1000) {}

  seal(plain: string): string {
    let s = this.sealed.get(plain);
    if (s === undefined) {
      if (this.sealed.size >= this.max) this.sealed.clear();
      s = this.box.seal(plain);
      this.sealed.set(plain, s);
    }
    return s;
  }

  open(sealed: string): string {
    let p = this.opened.get(sealed);
    if (p === undefined) {
      if (this.opened.size >= this.max) this.opened.clear();
      p = this.box.open(sealed);
      this.opened.set(sealed, p);
    }
    return p;
  }
}
