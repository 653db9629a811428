import { describe, expect, it } from 'vitest';
import { BoundedMap, lruStore } from '../../src/channels/baileys/caches.js';
import { LidMap } from '../../src/channels/baileys/lidMap.js';

describe('bounded caches of the Baileys channel', () => {
  it('evicts the least recently used entry past its bound, and expires entries after their TTL', async () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1);
    m.set('c', 3);
    expect(m.has('b')).toBe(false);
    expect([m.get('a'), m.get('c'), m.size]).toEqual([1, 3, 2]);
    const ttl = new BoundedMap<string, number>(10, 20);
    ttl.set('x', 1);
    await new Promise((r) => setTimeout(r, 40));
    expect(ttl.get('x')).toBeUndefined();
  });

  it('the library cache store and the LID map stay within their bounds under any traffic', () => {
    const store = lruStore(100);
    for (let i = 0; i < 10_000; i++) store.set(`k${i}`, i);
    expect(store.size).toBe(100);
    expect(store.get('k9999')).toBe(9999);
    expect(store.get('k0')).toBeUndefined();
    const lids = new LidMap(50);
    for (let i = 0; i < 1_000; i++) lids.learn(`${900000 + i}@lid`, `${5511900000 + i}@s.whatsapp.net`);
    expect(lids.size).toBe(50);
    expect(lids.pnOf('900999@lid')).toBe('5511900999@s.whatsapp.net');
    expect(lids.pnOf('900000@lid')).toBe('900000@lid');
    expect(lids.pnOf('5511900999@s.whatsapp.net')).toBe('5511900999@s.whatsapp.net');
  });
});
