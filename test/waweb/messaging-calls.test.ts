import type { WACallEvent } from 'baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, type Linked } from './messaging-harness.js';

const ME = '15550001111';

describe('the real baileys library against the simulator: calls', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('sees a contact\'s call offer, rejects it (acked by the server), and sees a hang-up', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const calls: WACallEvent[] = [];
    l.client.sock.ev.on('call', (cs) => void calls.push(...cs));
    const id = await l.messaging.calls.offer(alice, `${ME}@s.whatsapp.net`, true);
    await expect.poll(() => calls.find((c) => c.id === id)).toMatchObject({ status: 'offer', from: alice.jid, isVideo: true });
    await l.client.sock.rejectCall(id, alice.jid);
    expect(l.messaging.calls.placed.get(id)?.state).toBe('reject');

    const second = await l.messaging.calls.offer(alice, `${ME}@s.whatsapp.net`);
    await l.messaging.calls.terminate(second);
    await expect.poll(() => calls.filter((c) => c.id === second).map((c) => c.status)).toEqual(['offer', 'terminate']);
    expectNoHiddenFailure(l);
  });
});
