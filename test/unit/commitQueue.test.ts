import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/db.js';
import { CommitQueue } from '../../src/events/commitQueue.js';

describe('commit queue', () => {
  it('never reruns committed work when an after-commit observer throws', async () => {
    const db = await openDatabase('sqlite', ':memory:');
    try {
      const queue = new CommitQueue(db, undefined);
      const errors: unknown[] = [];
      queue.onCommitted = () => {
        throw new Error('observer failed');
      };
      queue.onPostCommitError = (e) => errors.push(e);
      let runs = 0;
      const source = { instanceId: 'i', instanceName: 'n' };
      const results = await Promise.all([1, 2].map((n) => queue.submit(async (_tx, emit) => {
        runs++;
        emit(source, 'presence.update', { n });
        return n;
      })));
      expect(results).toEqual([1, 2]);
      expect(runs).toBe(2);
      expect(errors).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
