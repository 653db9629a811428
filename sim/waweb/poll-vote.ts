import { randomBytes } from 'node:crypto';
import { aesEncryptGCM, hmacSign, proto, sha256 } from 'baileys';

/**
 * A poll vote as a WhatsApp phone encrypts it: the selected options' SHA-256 hashes in a PollVoteMessage, sealed with
 * AES-256-GCM under a key derived (HMAC-SHA256) from the poll's messageSecret, its id, its creator and the voter, with
 * `pollId\0voter` as additional data. The inverse of the library's decryptPollVote.
 */
export function encryptPollVote(options: string[], ctx: { pollMsgId: string; pollCreatorJid: string; voterJid: string; pollEncKey: Uint8Array }): proto.Message.IPollEncValue {
  const vote = proto.Message.PollVoteMessage.encode({ selectedOptions: options.map((o) => sha256(Buffer.from(o))) }).finish();
  const sign = Buffer.concat([Buffer.from(ctx.pollMsgId), Buffer.from(ctx.pollCreatorJid), Buffer.from(ctx.voterJid), Buffer.from('Poll Vote'), new Uint8Array([1])]);
  const key = hmacSign(sign, hmacSign(ctx.pollEncKey, new Uint8Array(32), 'sha256'), 'sha256');
  const iv = randomBytes(12);
  const encPayload = aesEncryptGCM(vote, key, iv, Buffer.from(`${ctx.pollMsgId}\u0000${ctx.voterJid}`));
  return { encPayload, encIv: iv };
}
