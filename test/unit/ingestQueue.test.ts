import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { IngestBudget, IngestQueue, type Job } from '../../src/domain/ingest/queue.js';
import { HoldBack } from '../../src/channels/events.js';

const logger = pino({ level: 'silent' });
const batch = (work: string, weight = 1): Job<string> => ({ kind: 'batch', work, weight });

/** A queue over a fake database: `commit` records what it committed, `failures` scripts what it throws. */
function harness(opts: { perInstance?: number; reachable?: () => boolean; fail?: (works: string[]) => Error | undefined } = {}) {
  const committed: string[][] = [];
  const budget = new IngestBudget(opts.perInstance ?? 100, 1000);
  const queue = new IngestQueue<string>({
    budget,
    logger,
    reachable: async () => opts.reachable?.() ?? true,
    commit: async (works) => {
      const err = opts.fail?.(works);
      if (err) throw err;
      committed.push(works);
    },
  });
  return { queue, committed, budget };
}

describe('IngestQueue', () => {
  it('drains consecutive batch jobs into one commit and runs steps alone, in order', async () => {
    const { queue, committed } = harness();
    const ran: string[] = [];
    const done = Promise.all([
      queue.push(batch('a')),
      queue.push(batch('b')),
      queue.push({ kind: 'step', what: 'step', run: async () => void ran.push(`step after ${committed.flat().join('')}`) }),
      queue.push(batch('c')),
    ]);
    await done;
    expect(committed).toEqual([['a', 'b'], ['c']]);
    expect(ran).toEqual(['step after ab']);
  });

  it('while the database is unreachable, retries the same work in order until it commits, and says so to senders', async () => {
    let failures = 3;
    const { queue, committed, budget } = harness({ reachable: () => false, fail: () => (failures-- > 0 ? new Error('connect ECONNREFUSED') : undefined) });
    const done = Promise.all([queue.push(batch('a')), queue.push(batch('b'))]);
    await new Promise((r) => setTimeout(r, 30));
    expect(budget.databaseDown).toBe(true);
    expect(queue.blocked).toBe(true);
    await done;
    expect(committed).toEqual([['a', 'b']]);
    expect(budget.databaseDown).toBe(false);
    expect(queue.pending).toBe(0);
  });

  it('a job that keeps failing while the database answers is refused alone; the others commit in order', async () => {
    const { queue, committed } = harness({ fail: (works) => (works.includes('bad') ? new Error('value too long') : undefined) });
    const results = await Promise.allSettled([queue.push(batch('a')), queue.push(batch('bad')), queue.push(batch('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed.flat()).toEqual(['a', 'c']);
  });

  it('past its budget it refuses with HoldBack and takes nothing; forced work (already sent) is always taken', async () => {
    const { queue, committed } = harness({ perInstance: 3 });
    let release!: () => void;
    const held = queue.push({ kind: 'step', what: 'hold', run: () => new Promise<void>((r) => (release = r)) });
    const accepted = queue.pushAll([batch('a', 2), batch('b', 1)]);
    await expect(queue.pushAll([batch('c', 1), batch('d', 1)])).rejects.toBeInstanceOf(HoldBack);
    const forced = queue.push(batch('sent', 1), true);
    expect(queue.pending).toBe(4);
    release();
    await Promise.all([held, accepted, forced]);
    expect(committed.flat()).toEqual(['a', 'b', 'sent']);
  });

  it('an empty queue takes a batch heavier than its budget (one history sync)', async () => {
    const { queue, committed } = harness({ perInstance: 3 });
    await queue.push(batch('history', 10_000));
    expect(committed).toEqual([['history']]);
  });
});
