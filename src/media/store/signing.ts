import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs disk-store URLs (key + expiry) with a key derived from the server's encryption key. */
export class UrlSigner {
  private readonly secret: Buffer;

  constructor(encryptionKey: string) {
    this.secret = createHmac('sha256', encryptionKey).update('media-url-signing').digest();
  }

  sign(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${expires}`).digest('hex');
  }

  verify(key: string, expires: number, signature: string, now = Date.now() / 1000): boolean {
    if (!Number.isFinite(expires) || expires < now || !/^[0-9a-f]{64}$/.test(signature)) return false;
    return timingSafeEqual(Buffer.from(this.sign(key, expires), 'hex'), Buffer.from(signature, 'hex'));
  }
}
