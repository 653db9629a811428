import type { MediaConfig } from '../../config.js';
import { DiskMediaStore } from './disk.js';
import { S3MediaStore } from './s3.js';
import { UrlSigner } from './signing.js';
import type { MediaStore } from './types.js';

export type { MediaStore, ObjectInfo } from './types.js';
export { DiskMediaStore, S3MediaStore, UrlSigner };

/** S3 when S3_ENABLED, else local disk. */
export function createMediaStore(media: MediaConfig, dir: string, signer: UrlSigner, publicBase?: string): MediaStore {
  return media.s3 ? new S3MediaStore(media.s3) : new DiskMediaStore(dir, signer, publicBase);
}
