import { describe, expect, it } from 'vitest';
import { reconnectAction, type ReconnectPolicy } from '../../src/channels/baileys/reconnect.js';
import { StartPacer } from '../../src/channels/baileys/pacer.js';

const policy: ReconnectPolicy = { maxFailures: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

describe('the Baileys reconnect policy (seed 002)', () => {
  it('maps each disconnect reason to its action', () => {
    expect(reconnectAction(401, 1, policy)).toEqual({ type: 'loggedOut' });
    expect(reconnectAction(403, 1, policy)).toEqual({ type: 'loggedOut' });
    expect(reconnectAction(500, 1, policy)).toEqual({ type: 'newLogin' });
    expect(reconnectAction(440, 1, policy)).toEqual({ type: 'stayClosed' });
    expect(reconnectAction(515, 1, policy)).toEqual({ type: 'reconnect', delayMs: 0 });
    expect(reconnectAction(408, 1, policy, () => 0).type).toBe('reconnect');
    expect(reconnectAction(428, 1, policy, () => 0).type).toBe('reconnect');
  });

  it('backs off exponentially with jitter, capped, and gives up after maxFailures in a row', () => {
    const delays = (random: number) => [1, 2, 3, 4, 5].map((n) => (reconnectAction(408, n, policy, () => random) as { delayMs: number }).delayMs);
    expect(delays(0)).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(delays(1)).toEqual([1000, 2000, 4000, 8000, 16000]);
    const capped = { ...policy, maxFailures: 100 };
    expect((reconnectAction(428, 40, capped, () => 1) as { delayMs: number }).delayMs).toBe(30_000);
    expect(reconnectAction(428, 6, policy)).toEqual({ type: 'failed' });
    expect(reconnectAction(515, 6, policy)).toEqual({ type: 'failed' });
    // the end-of-session reasons are never "retried" into a failure
    expect(reconnectAction(440, 60, policy)).toEqual({ type: 'stayClosed' });
  });

  it('spreads socket starts: at most perSecond a second, in order', async () => {
    const pacer = new StartPacer(20);
    pacer.release();
    const started: number[] = [];
    const t0 = Date.now();
    await new Promise<void>((done) => {
      for (let i = 0; i < 10; i++) pacer.schedule(() => started.push(Date.now() - t0) === 10 && done());
    });
    expect(started).toHaveLength(10);
    // 10 starts at 20/s take at least 9 intervals of 50 ms
    expect(started.at(-1)!).toBeGreaterThanOrEqual(440);
    // each start waits for its own slot (timers may fire late, never early)
    started.forEach((at, i) => expect(at).toBeGreaterThanOrEqual(i * 50 - 5));
  });

  it('holds starts until the server is ready, then lets them go in order', async () => {
    const pacer = new StartPacer(1000);
    const started: number[] = [];
    pacer.schedule(() => started.push(1));
    const cancel = pacer.schedule(() => started.push(2));
    pacer.schedule(() => started.push(3));
    cancel();
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual([]);
    pacer.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(started).toEqual([1, 3]);
  });
});
