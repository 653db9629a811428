import { describe, expect, it } from 'vitest';
import { SandboxNetwork, type SandboxPhone } from '../../src/channels/sandbox/network.js';
import type { AckStatus, MessageKey } from '../../src/domain/types.js';
import { waitFor } from '../helpers/server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keeps the event loop busy, as a burst of synchronous work (a large commit, JSON of a big batch) does. */
const busy = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};

function phone(number: string): SandboxPhone & { acks: string[] } {
  const acks: string[] = [];
  return { number, profileName: `Phone ${number.slice(-4)}`, acks, receive: async () => undefined, ack: async (key: MessageKey, status: AckStatus) => void acks.push(`${key.id}:${status}`) };
}

const key = (id: string): MessageKey => ({ remoteJid: '5511988880000@s.whatsapp.net', fromMe: true, id });

describe('sandbox network acks', () => {
  it('acks one message SERVER_ACK then DELIVERY_ACK (idle loop)', async () => {
    const network = new SandboxNetwork(5);
    const me = phone('5511970000001');
    network.attach(me);
    network.send(me, key('ONE'), { conversation: 'one' }, 0);
    await waitFor(() => me.acks.length === 2, 2000, 'two acks');
    expect(me.acks).toEqual(['ONE:SERVER_ACK', 'ONE:DELIVERY_ACK']);
    network.close();
  });

  // Timers of one duration run as one list in Node: when DELIVERY_ACK was a timer of its own, a message sent while an
  // earlier DELIVERY_ACK was pending could see its DELIVERY_ACK fire before its SERVER_ACK (then dropped as a step
  // backwards). The network now moves a message on only once its SERVER_ACK was handed over.
  it('acks a message SERVER_ACK then DELIVERY_ACK even when sent while an earlier DELIVERY_ACK is pending and the loop is busy', async () => {
    const network = new SandboxNetwork(50);
    const me = phone('5511970000002');
    network.attach(me);
    try {
      // The setting needs FIRST's SERVER_ACK fired and its DELIVERY_ACK pending; a loop too slow for that tries again.
      for (let attempt = 0; ; attempt++) {
        const first = `FIRST${attempt}`;
        const second = `SECOND${attempt}`;
        me.acks.length = 0;
        network.send(me, key(first), { conversation: 'first' }, 0); // SERVER_ACK at +50 ms, DELIVERY_ACK at +100 ms
        await sleep(60);
        if (me.acks.join() !== `${first}:SERVER_ACK`) {
          if (attempt >= 4) throw new Error(`could not set the scene: ${me.acks.join()}`);
          await waitFor(() => me.acks.length === 2, 2000, 'the first acks');
          continue;
        }
        network.send(me, key(second), { conversation: 'second' }, 0);
        busy(120); // both of SECOND's acks are due when the loop gets to its timers
        await waitFor(() => me.acks.length === 4, 2000, 'four acks');
        expect(me.acks.filter((a) => a.startsWith(`${second}:`))).toEqual([`${second}:SERVER_ACK`, `${second}:DELIVERY_ACK`]);
        return;
      }
    } finally {
      network.close();
    }
  });
});
