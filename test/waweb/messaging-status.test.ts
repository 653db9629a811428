import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, textOf, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const STATUS = 'status@broadcast';

describe('the real baileys library against the simulator: status broadcasts', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('posts statuses its audience decrypts, and receives a contact status', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    for (const text of ['my status', 'another one']) {
      const sent = await l.client.sock.sendMessage(STATUS, { text }, { statusJidList: [alice.jid] });
      const got = await alice.waitFor(text);
      expect(got.key).toEqual({ id: sent!.key.id, remoteJid: STATUS, participant: `${ME}@s.whatsapp.net` });
    }
    const id = await alice.sendText(STATUS, 'alice status');
    await expect.poll(() => l!.upserts.find((m) => m.key.id === id)).toBeDefined();
    const got = l.upserts.find((m) => m.key.id === id)!;
    expect(textOf(got)).toBe('alice status');
    expect(got.key.remoteJid).toBe(STATUS);
    expect(got.key.participant).toBe(alice.jid);
    expectNoHiddenFailure(l);
  });
});
