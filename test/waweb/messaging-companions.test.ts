import { WAMessageStatus } from 'baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, textOf, type Linked } from './messaging-harness.js';

const A = '15550001111';
const B = '15550009999';

describe('the real baileys library against the simulator: two linked accounts', () => {
  const linked: Linked[] = [];
  afterEach(async () => {
    for (const l of linked.reverse()) await l.stop();
    linked.length = 0;
  });

  it('one instance texts the other: decrypted upsert on B, DELIVERY_ACK and READ on A', async () => {
    const a = await linkInstance(A);
    linked.push(a);
    const b = await linkInstance(B, { on: a.sim });
    linked.push(b);
    const sent = await a.client.sock.sendMessage(`${B}@s.whatsapp.net`, { text: 'hello B' });
    await expect.poll(() => b.upserts.find((m) => m.key.id === sent!.key.id)).toBeDefined();
    const got = b.upserts.find((m) => m.key.id === sent!.key.id)!;
    expect(textOf(got)).toBe('hello B');
    expect(got.key.remoteJid).toBe(`${A}@s.whatsapp.net`);
    const status = (s: number) => a.updates.some((u) => u.key.id === sent!.key.id && u.update.status === s);
    await expect.poll(() => status(WAMessageStatus.DELIVERY_ACK)).toBe(true);
    await b.client.sock.readMessages([got.key]);
    await expect.poll(() => status(WAMessageStatus.READ)).toBe(true);
    // and back, on the session B now has
    const reply = await b.client.sock.sendMessage(`${A}@s.whatsapp.net`, { text: 'hello A' });
    await expect.poll(() => a.upserts.find((m) => m.key.id === reply!.key.id && textOf(m) === 'hello A')).toBeDefined();
    expectNoHiddenFailure(a);
  });
});
