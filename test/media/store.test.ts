import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { DiskMediaStore, S3MediaStore, UrlSigner, type MediaStore } from '../../src/media/store/index.js';
import { startLocalS3, type LocalS3 } from '../helpers/s3.js';

async function bytesOf(stream: Readable | undefined): Promise<Buffer | undefined> {
  if (!stream) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

for (const kind of ['disk', 's3'] as const) {
  describe(`media store: ${kind}`, () => {
    let store: MediaStore;
    let s3: LocalS3 | undefined;
    let dir: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'store-test-'));
      if (kind === 's3') {
        s3 = await startLocalS3('store-test');
        store = new S3MediaStore({ accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'store-test', endpoint: '127.0.0.1', port: s3.port, useSsl: false, region: 'us-east-1' });
      } else {
        store = new DiskMediaStore(dir, new UrlSigner('k'.repeat(32)), 'http://127.0.0.1:1');
      }
    }, 30_000);
    afterAll(async () => {
      await store?.close?.();
      await s3?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('stores a streamed body of several parts byte for byte', async () => {
      const data = randomBytes(11 * 1024 * 1024 + 123);
      // Chunks of 64 KiB, as a network stream delivers them.
      const stream = Readable.from((function* () {
        for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
      })());
      await store.put('inst/big.bin', stream, 'application/octet-stream');
      expect(await store.stat('inst/big.bin')).toEqual({ size: data.length, mimetype: 'application/octet-stream' });
      expect((await bytesOf(await store.get('inst/big.bin')))?.equals(data)).toBe(true);
    }, 60_000);

    it('stores a small streamed body (one part) byte for byte', async () => {
      const data = randomBytes(300_000);
      await store.put('inst/small.bin', Readable.from([data.subarray(0, 100_000), data.subarray(100_000)]), 'application/octet-stream');
      expect((await bytesOf(await store.get('inst/small.bin')))?.equals(data)).toBe(true);
    });

    it('stores buffers, answers missing keys with undefined, and deletes', async () => {
      await store.put('inst/a.jpg', Buffer.from('jpeg'), 'image/jpeg');
      expect(await store.stat('inst/a.jpg')).toEqual({ size: 4, mimetype: 'image/jpeg' });
      expect(await store.get('inst/none.jpg')).toBeUndefined();
      expect(await store.stat('inst/none.jpg')).toBeUndefined();
      await store.delete('inst/a.jpg');
      expect(await store.stat('inst/a.jpg')).toBeUndefined();
    });

    it('gives URLs that expire', async () => {
      await store.put('inst/u.txt', Buffer.from('hello'), 'text/plain');
      const url = new URL(await store.url('inst/u.txt', 60));
      if (kind === 's3') {
        expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
        const res = await fetch(url);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('hello');
      } else {
        expect(url.pathname).toBe('/media/file/inst/u.txt');
        const expires = Number(url.searchParams.get('expires'));
        expect(expires - Date.now() / 1000).toBeGreaterThan(55);
        const signer = new UrlSigner('k'.repeat(32));
        expect(signer.verify('inst/u.txt', expires, url.searchParams.get('signature')!)).toBe(true);
        expect(signer.verify('inst/other.txt', expires, url.searchParams.get('signature')!)).toBe(false);
        expect(signer.verify('inst/u.txt', Date.now() / 1000 - 1, signer.sign('inst/u.txt', Date.now() / 1000 - 1))).toBe(false);
      }
    });
  });
}

describe('disk store keys', () => {
  it('never leave the store directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-keys-'));
    const store = new DiskMediaStore(dir, new UrlSigner('k'.repeat(32)));
    await expect(store.put('../escape.bin', Buffer.from('x'), 'a/b')).rejects.toThrow(/invalid media key/);
    await expect(store.get('inst/../../etc/passwd')).rejects.toThrow(/invalid media key/);
    rmSync(dir, { recursive: true, force: true });
  });
});
