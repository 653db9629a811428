import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { DEFAULT_URL_EXPIRY_SECONDS, type MediaStore, type ObjectInfo } from './types.js';
import type { UrlSigner } from './signing.js';

/** Path of the signed download route for disk-stored media. */
export const DISK_MEDIA_ROUTE = '/media/file';

/**
 * Media on local disk. Files are written to a temporary name and renamed, so a reader never sees half a file; the
 * mimetype sits beside each file. URLs point at this server's signed route (never an unauthenticated static mount).
 */
export class DiskMediaStore implements MediaStore {
  readonly kind = 'disk';
  private readonly root: string;
  /** Base URL of this server (SERVER_URL, or the listening address once known). */
  publicBase: string | undefined;

  constructor(dir: string, private readonly signer: UrlSigner, publicBase?: string) {
    this.root = resolve(dir);
    this.publicBase = publicBase;
  }

  async put(key: string, body: Buffer | Readable, mimetype: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.part`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(tmp));
      await writeFile(`${path}.type`, mimetype);
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Readable | undefined> {
    const path = this.pathOf(key);
    if (!(await stat(path).catch(() => undefined))) return undefined;
    return createReadStream(path);
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    const s = await stat(path).catch(() => undefined);
    if (!s) return undefined;
    const mimetype = await readFile(`${path}.type`, 'utf8').catch(() => 'application/octet-stream');
    return { size: s.size, mimetype };
  }

  async url(key: string, expirySeconds = DEFAULT_URL_EXPIRY_SECONDS): Promise<string> {
    const expires = Math.floor(Date.now() / 1000) + expirySeconds;
    const path = `${DISK_MEDIA_ROUTE}/${key.split('/').map(encodeURIComponent).join('/')}?expires=${expires}&signature=${this.signer.sign(key, expires)}`;
    return `${this.publicBase ?? ''}${path}`;
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(`${path}.type`, { force: true });
  }

  /** A key never leaves the store's directory. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep) || /\.(type|part)$/.test(path)) throw new Error(`invalid media key: ${key}`);
    return path;
  }
}
