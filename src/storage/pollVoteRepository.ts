import type { Db } from './db.js';
import type { Executor } from './instanceRepository.js';
import { fromJson, toJson } from './json.js';
import { rowId } from '../domain/ids.js';
import { updateStamp } from './messageWrites.js';
import { chunks } from './sql/bulk.js';

export interface PollVote {
  instanceId: string;
  /** The stored poll message's row id. */
  messageId: string;
  voter: string;
  options: string[];
}

/** Each voter's current choice per poll: a later vote of the same voter replaces the earlier one. */
export class PollVoteRepository {
  constructor(private readonly db: Db) {}

  /** Records votes in order; the (messageId, voter) unique key keeps one row per voter. Votes are rare: a statement pair each. */
  async record(votes: PollVote[], tx: Executor = this.db.kysely): Promise<void> {
    for (const v of votes) {
      await tx.deleteFrom('pollVotes').where('messageId', '=', v.messageId).where('voter', '=', v.voter).execute();
      await tx.insertInto('pollVotes').values({ id: rowId(), instanceId: v.instanceId, messageId: v.messageId, voter: v.voter, options: toJson(v.options), votedAt: updateStamp() }).execute();
    }
  }

  /** Current votes of these polls, in the order they were cast. */
  async forMessages(messageIds: string[], tx: Executor = this.db.kysely): Promise<Map<string, Array<{ voter: string; options: string[] }>>> {
    const out = new Map<string, Array<{ voter: string; options: string[] }>>();
    for (const chunk of chunks([...new Set(messageIds)], 1, 500)) {
      const rows = await tx.selectFrom('pollVotes').select(['messageId', 'voter', 'options', 'votedAt', 'id']).where('messageId', 'in', chunk).orderBy('votedAt').orderBy('id').execute();
      for (const r of rows) {
        const list = out.get(r.messageId) ?? [];
        list.push({ voter: r.voter, options: fromJson<string[]>(r.options, []) });
        out.set(r.messageId, list);
      }
    }
    return out;
  }

  /** The stored content of these messages (the polls' options), by row id. */
  async contentOf(messageIds: string[], tx: Executor = this.db.kysely): Promise<Map<string, Record<string, unknown>>> {
    const out = new Map<string, Record<string, unknown>>();
    for (const chunk of chunks([...new Set(messageIds)], 1, 500)) {
      const rows = await tx.selectFrom('messages').select(['id', 'message']).where('id', 'in', chunk).execute();
      for (const r of rows) out.set(r.id, fromJson<Record<string, unknown>>(r.message, {}));
    }
    return out;
  }
}
