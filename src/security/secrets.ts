import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time equality of two secrets of any length (both sides are hashed to a fixed size first). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** The same comparison against a secret whose SHA-256 is known (hashed once, not on every request). */
export function secretMatchesDigest(value: string, digest: Buffer): boolean {
  return timingSafeEqual(createHash('sha256').update(value).digest(), digest);
}

export function sha256Digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** AES-256-GCM for secrets stored at rest (instance tokens, channel credentials). Output: v1.<iv>.<tag>.<ciphertext>, base64url. */
export class SecretBox {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = createHash('sha256').update(`gateway-at-rest:${secret}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      // The GCM tag does not match: another key sealed it (or the row was altered). Say which setting to look at.
      throw new SealedSecretUnreadable();
    }
  }
}

export class SealedSecretUnreadable extends Error {
  constructor() {
    super('Stored secrets (instance tokens, channel sessions) cannot be read with the current ENCRYPTION_KEY: was the key changed? Start with the key they were sealed with.');
  }
}

/** Reads a generated secret from a file, creating it (mode 600) on first use. */
export function loadOrCreateSecret(file: string): { value: string; created: boolean } {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  mkdirSync(dirname(file), { recursive: true });
  const value = randomBytes(24).toString('hex');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value, created: true };
}
