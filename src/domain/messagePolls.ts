import type { Executor } from '../storage/instanceRepository.js';
import type { Repositories } from '../storage/repositories.js';

/** The content keys a poll creation can have (V3: single choice, V2: announcement groups). */
const POLL_TYPES = ['pollCreationMessage', 'pollCreationMessageV3', 'pollCreationMessageV2'];

export interface PollDefinition {
  name: string;
  options: string[];
  /** 0 = any number of options. */
  selectableCount: number;
}

/** The poll a stored message holds, if it is one. */
export function pollOf(message: Record<string, unknown>): PollDefinition | undefined {
  for (const type of POLL_TYPES) {
    const poll = message[type] as { name?: string; options?: Array<{ optionName?: string }>; selectableOptionsCount?: number } | undefined;
    if (poll) return { name: poll.name ?? '', options: (poll.options ?? []).map((o) => o.optionName ?? ''), selectableCount: poll.selectableOptionsCount ?? 0 };
  }
  return undefined;
}

export type Votes = Array<{ voter: string; options: string[] }>;

/** Upstream's `pollUpdates` (Baileys' getAggregateVotesInPollMessage): every option with the voters currently choosing it. */
export function aggregateVotes(poll: PollDefinition, votes: Votes): Array<{ name: string; voters: string[] }> {
  return poll.options.map((name) => ({ name, voters: votes.filter((v) => v.options.includes(name)).map((v) => v.voter) }));
}

/** The getPollVote answer: per option its count and voters; totalVotes counts chosen options over all voters. */
export function pollResult(poll: PollDefinition, votes: Votes) {
  const results: Record<string, { votes: number; voters: string[] }> = {};
  for (const { name, voters } of aggregateVotes(poll, votes)) results[name] = { votes: voters.length, voters };
  const totalVotes = Object.values(results).reduce((n, r) => n + r.votes, 0);
  return { poll: { name: poll.name, totalVotes, results } };
}

/** Why a vote cannot be cast on this poll, if it cannot (options not in the poll, too many, repeated). */
export function voteProblem(poll: PollDefinition, options: string[]): string | undefined {
  const unknown = options.filter((o) => !poll.options.includes(o));
  if (unknown.length) return `Not an option of this poll: ${unknown.join(', ')}`;
  if (new Set(options).size !== options.length) return 'Each option can be chosen once';
  if (poll.selectableCount > 0 && options.length > poll.selectableCount) return `This poll takes at most ${poll.selectableCount} option(s)`;
  return undefined;
}

export interface VoteToApply {
  instanceId: string;
  messageId: string;
  votes: Votes;
  /** The `messages.update` data the aggregated votes go into (filled in here, emitted by the writer). */
  event: Record<string, unknown>;
}

/** Inside the ingest transaction: records the votes, then puts each poll's aggregated votes into its event. */
export async function applyPollVotes(repos: Repositories, items: VoteToApply[], tx: Executor): Promise<void> {
  if (!items.length) return;
  await repos.pollVotes.record(items.flatMap((i) => i.votes.map((v) => ({ instanceId: i.instanceId, messageId: i.messageId, voter: v.voter, options: v.options }))), tx);
  const ids = items.map((i) => i.messageId);
  // One after the other: a transaction is one connection.
  const current = await repos.pollVotes.forMessages(ids, tx);
  const contents = await repos.pollVotes.contentOf(ids, tx);
  for (const item of items) {
    const poll = pollOf(contents.get(item.messageId) ?? {});
    // A vote on a message that holds no poll (another channel's) is passed on as it came, one entry per option.
    item.event.pollUpdates = poll ? aggregateVotes(poll, current.get(item.messageId) ?? []) : item.votes.flatMap((v) => v.options.map((name) => ({ name, voters: [v.voter] })));
  }
}
