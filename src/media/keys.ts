import { extensionOf } from './mimetype.js';

/**
 * Where media is kept in the store: content-addressed per instance (`<instanceId>/<sha256 hex>.<ext>`), so the same
 * bytes are stored once and a message's media is found again from its fileSha256 and mimetype alone.
 */
export function storageKeyOf(instanceId: string, fileSha256Base64: string, mimetype: string): string {
  return `${instanceId}/${Buffer.from(fileSha256Base64, 'base64').toString('hex')}.${extensionOf(mimetype)}`;
}
