import type { Readable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  mimetype: string;
}

/** Where media bytes live: local disk or an S3-compatible bucket. Keys are relative paths (`<instanceId>/<sha256>.<ext>`). */
export interface MediaStore {
  readonly kind: 'disk' | 's3';
  /** Stores the bytes (streamed: a Readable is never gathered in memory). */
  put(key: string, body: Buffer | Readable, mimetype: string): Promise<void>;
  /** The object's bytes as a stream, or undefined when there is no such object. */
  get(key: string): Promise<Readable | undefined>;
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** A URL that fetches the object without an API key until it expires (presigned, or signed by this server). */
  url(key: string, expirySeconds?: number): Promise<string>;
  delete(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** A week, as upstream's presigned media URLs. */
export const DEFAULT_URL_EXPIRY_SECONDS = 7 * 24 * 3600;
