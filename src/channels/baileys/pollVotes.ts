import { decryptPollVote, getAggregateVotesInPollMessage, jidNormalizedUser, normalizeMessageContent, proto, type WAMessage, type WAMessageKey, type WAMessageUpdate } from 'baileys';

/** One contact's current choice on a poll, decrypted: the options by name (none: the vote was taken back). */
export interface DecryptedVote {
  pollKey: WAMessageKey;
  voter: string;
  options: string[];
  at?: number;
}

export interface PollSource {
  /** The stored poll message (with its messageContextInfo.messageSecret) by key id. */
  poll(keyId: string): Promise<proto.IMessage | undefined>;
  /** The account's own user JIDs (phone number, LID): a poll's creator as the vote was encrypted for it. */
  me(): string[];
}

/**
 * Votes arrive as pollUpdateMessages encrypted with the poll's secret: the library (7.0.0-rc) no longer decrypts them,
 * so they are decrypted here with its own helpers and named with getAggregateVotesInPollMessage. `messages.update`
 * with pollUpdates (already decrypted, as older releases emit them) is read the same way.
 */
export class PollVoteReader {
  constructor(private readonly source: PollSource, private readonly onFailure: (pollId: string, reason: string) => void) {}

  async read(upserts: WAMessage[], updates: WAMessageUpdate[]): Promise<DecryptedVote[]> {
    const out: DecryptedVote[] = [];
    for (const m of upserts) {
      const vote = normalizeMessageContent(m.message)?.pollUpdateMessage;
      const pollKey = vote?.pollCreationMessageKey;
      if (!vote?.vote || !pollKey?.id) continue;
      const poll = await this.source.poll(pollKey.id);
      const secret = poll?.messageContextInfo?.messageSecret;
      if (!poll || !secret) {
        this.onFailure(pollKey.id, 'the poll is not stored with its secret');
        continue;
      }
      const decrypted = this.decrypt(vote.vote, pollKey, m.key, secret);
      if (!decrypted) {
        this.onFailure(pollKey.id, 'the vote could not be decrypted');
        continue;
      }
      const voter = this.voterOf(m.key);
      const at = Number(vote.senderTimestampMs ?? 0) ? Math.floor(Number(vote.senderTimestampMs) / 1000) : Number(m.messageTimestamp ?? 0) || undefined;
      out.push({ pollKey, voter, options: named(poll, [{ pollUpdateMessageKey: m.key, vote: decrypted }]), ...(at ? { at } : {}) });
    }
    for (const { key, update } of updates) {
      if (!update.pollUpdates?.length || !key.id) continue;
      const poll = await this.source.poll(key.id);
      if (!poll) continue;
      for (const u of update.pollUpdates) {
        if (!u.pollUpdateMessageKey) continue;
        const at = Number(u.senderTimestampMs ?? 0) ? Math.floor(Number(u.senderTimestampMs) / 1000) : undefined;
        out.push({ pollKey: key, voter: this.voterOf(u.pollUpdateMessageKey), options: named(poll, [u]), ...(at ? { at } : {}) });
      }
    }
    return out;
  }

  private voterOf(k: WAMessageKey): string {
    return k.fromMe ? (this.source.me()[0] ?? '') : jidNormalizedUser(k.participant || k.remoteJid || '');
  }

  /**
   * The vote is bound to the poll's creator and the voter as the voter's phone addressed them (phone number or LID):
   * each pairing is tried, and AES-GCM's tag tells the right one.
   */
  private decrypt(enc: proto.Message.IPollEncValue, pollKey: WAMessageKey, voteKey: WAMessageKey, secret: Uint8Array): proto.Message.PollVoteMessage | undefined {
    const voters = voteKey.fromMe ? this.source.me() : unique([voteKey.participant, voteKey.participantAlt, voteKey.remoteJid, voteKey.remoteJidAlt].filter((j) => j && !j.endsWith('@g.us')).map((j) => jidNormalizedUser(j!)));
    const creators = pollKey.fromMe ? this.source.me() : unique([pollKey.participant, pollKey.remoteJid].filter((j): j is string => !!j).map(jidNormalizedUser));
    for (const pollCreatorJid of creators) {
      for (const voterJid of voters) {
        try {
          return decryptPollVote(enc, { pollCreatorJid, voterJid, pollMsgId: pollKey.id!, pollEncKey: secret });
        } catch {
          // not this pairing
        }
      }
    }
    return undefined;
  }
}

const unique = (list: string[]) => [...new Set(list)];

/** The option names a single voter's update selects, by the library's hash-to-name aggregation. */
function named(poll: proto.IMessage, pollUpdates: proto.IPollUpdate[]): string[] {
  return getAggregateVotesInPollMessage({ message: poll, pollUpdates }).filter((o) => o.voters.length).map((o) => o.name);
}
