import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, textOf, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const ALICE = '15550002222@s.whatsapp.net';

describe('the real baileys library against the simulator: history at linking', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('gets the phone\'s chats and messages as messaging-history.set, then live messages', async () => {
    const t = Math.floor(Date.now() / 1000) - 3600;
    l = await linkInstance(ME, {
      history: [
        {
          jid: ALICE,
          name: 'Alice',
          messages: [
            { id: 'HIST1', text: 'old hi', fromMe: false, t },
            { id: 'HIST2', text: 'old reply', fromMe: true, t: t + 60 },
          ],
        },
      ],
    });
    expect(l.history.chats).toContain(ALICE);
    expect(l.history.messages.map((m) => [m.key.id, m.key.fromMe, textOf(m)])).toEqual([
      ['HIST1', false, 'old hi'],
      ['HIST2', true, 'old reply'],
    ]);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const id = await alice.sendText(`${ME}@s.whatsapp.net`, 'new hi');
    await expect.poll(() => l!.upserts.some((m) => m.key.id === id && textOf(m) === 'new hi')).toBe(true);
    expectNoHiddenFailure(l);
  });
});
