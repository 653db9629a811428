import type { PresenceData } from 'baileys';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoHiddenFailure, linkInstance, type Linked } from './messaging-harness.js';

const ME = '15550001111';
const ME_JID = `${ME}@s.whatsapp.net`;

describe('the real baileys library against the simulator: presence and chat states', () => {
  let l: Linked | undefined;
  afterEach(async () => {
    await l?.stop();
    l = undefined;
  });

  it('subscribes to a contact, sees it come online and type; its own typing reaches the contact', async () => {
    l = await linkInstance(ME);
    const alice = l.messaging.contact('15550002222', 'Alice');
    const seen: PresenceData[] = [];
    l.client.sock.ev.on('presence.update', ({ id, presences }) => {
      if (id === alice.jid && presences[alice.jid]) seen.push(presences[alice.jid]!);
    });
    await l.client.sock.presenceSubscribe(alice.jid);
    await expect.poll(() => seen.at(-1)?.lastKnownPresence).toBe('unavailable');
    expect(seen.at(-1)?.lastSeen).toBeGreaterThan(0);
    await l.messaging.setPresence(alice, 'available');
    await expect.poll(() => seen.at(-1)?.lastKnownPresence).toBe('available');
    await l.messaging.typing(alice, ME_JID, 'composing');
    await expect.poll(() => seen.at(-1)?.lastKnownPresence).toBe('composing');
    await l.messaging.typing(alice, ME_JID, 'recording');
    await expect.poll(() => seen.at(-1)?.lastKnownPresence).toBe('recording');

    await l.client.sock.sendPresenceUpdate('composing', alice.jid);
    await l.client.sock.sendPresenceUpdate('paused', alice.jid);
    await expect.poll(() => alice.chatstates.map((c) => c.state)).toEqual(['composing', 'paused']);
    expect(alice.chatstates[0]!.from).toBe(ME_JID);
    expectNoHiddenFailure(l);
  });
});
