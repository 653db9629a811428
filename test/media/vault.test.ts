import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MediaVault } from '../../src/channels/sandbox/mediaVault.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('base64');

describe('sandbox media vault', () => {
  const vault = new MediaVault(2500);
  afterEach(() => vault.close());

  it('serves uploads by direct path or URL, checking the hash', async () => {
    const data = Buffer.from('some media bytes');
    const up = await vault.upload(data, 'application/octet-stream');
    expect(up.url).toBe(`https://mmg.sandbox.invalid${up.directPath}`);
    expect(Buffer.from(up.mediaKey, 'base64')).toHaveLength(32);
    expect((await vault.download(up.directPath, sha(data)))?.equals(data)).toBe(true);
    expect((await vault.download(up.url))?.equals(data)).toBe(true);
    expect(await vault.download(up.directPath, sha(Buffer.from('other')))).toBeUndefined();
    expect(await vault.download('/v/t62/unknown')).toBeUndefined();
  });

  it('stays within its size: the oldest uploads expire first', async () => {
    const first = await vault.upload(Buffer.alloc(1000, 1), 'a/b');
    const second = await vault.upload(Buffer.alloc(1000, 2), 'a/b');
    const third = await vault.upload(Buffer.alloc(1000, 3), 'a/b');
    expect(vault.size).toBe(2000);
    expect(await vault.download(first.directPath)).toBeUndefined();
    expect((await vault.download(second.directPath))?.[0]).toBe(2);
    expect((await vault.download(third.directPath))?.[0]).toBe(3);
  });
});
