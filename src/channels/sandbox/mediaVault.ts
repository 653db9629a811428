import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

interface Blob {
  file: string;
  size: number;
  sha256: string;
  mimetype: string;
}

/** The host sandbox media URLs name (never resolvable: recipients download through the vault, as WhatsApp clients do). */
export const SANDBOX_MEDIA_HOST = 'mmg.sandbox.invalid';

/**
 * Media uploaded by sandbox phones, kept by the network so recipients can download it (WhatsApp's media servers).
 * Blobs live in a temporary directory, bounded in total size: past it the oldest uploads expire, as WhatsApp's do.
 */
export class MediaVault {
  private dir: string | undefined;
  private readonly blobs = new Map<string, Blob>();
  private total = 0;

  constructor(private readonly maxBytes = 1024 * 1024 * 1024) {}

  async upload(data: Buffer, mimetype: string): Promise<{ url: string; directPath: string; mediaKey: string }> {
    this.dir ??= mkdtempSync(join(tmpdir(), 'sandbox-vault-'));
    const id = randomUUID();
    const file = join(this.dir, id);
    await writeFile(file, data);
    this.blobs.set(id, { file, size: data.length, sha256: createHash('sha256').update(data).digest('base64'), mimetype });
    this.total += data.length;
    while (this.total > this.maxBytes && this.blobs.size > 1) await this.expire(this.blobs.keys().next().value!);
    const directPath = `/v/t62/${id}`;
    return { url: `https://${SANDBOX_MEDIA_HOST}${directPath}`, directPath, mediaKey: randomBytes(32).toString('base64') };
  }

  /** The bytes at a direct path (or URL) of an upload; undefined once expired or when the hash does not match. */
  async download(pathOrUrl: string, fileSha256?: string): Promise<Buffer | undefined> {
    const id = /\/v\/t62\/([\w-]+)/.exec(pathOrUrl)?.[1];
    const blob = id ? this.blobs.get(id) : undefined;
    if (!blob || (fileSha256 && fileSha256 !== blob.sha256)) return undefined;
    return readFile(blob.file).catch(() => undefined);
  }

  get size(): number {
    return this.total;
  }

  private async expire(id: string): Promise<void> {
    const blob = this.blobs.get(id)!;
    this.blobs.delete(id);
    this.total -= blob.size;
    await rm(blob.file, { force: true });
  }

  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    this.blobs.clear();
    this.total = 0;
  }
}
