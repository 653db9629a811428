import { createHmac } from 'node:crypto';
import { secretsEqual } from '../../security/secrets.js';

/** `sha256=<hex HMAC-SHA256 of the raw body>`: how Meta signs its webhook posts (X-Hub-Signature-256). */
export function hubSignature(raw: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Whether `header` is the signature of `raw` with `secret`, compared in constant time; a missing header is not. */
export function hubSignatureValid(raw: Buffer | string, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== 'string' || !header) return false;
  return secretsEqual(header.trim().toLowerCase(), hubSignature(raw, secret));
}
