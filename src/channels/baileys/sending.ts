import { generateWAMessageFromContent, type WAMessage, type WASocket } from 'baileys';
import type { Outbound } from '../content.js';
import { toBaileysSend, type MediaBytes } from './outbound.js';

/** The socket looked open but the send did not finish in time (an unanswered query, a dead connection). */
export class SendStalled extends Error {}

/** Sends one message through the library (which encrypts and uploads media), or fails with SendStalled after `timeoutMs`. */
export async function sendThrough(sock: WASocket, out: Outbound, bytes: MediaBytes, timeoutMs: number): Promise<WAMessage> {
  const plan = await toBaileysSend(out, bytes);
  const sending = (async (): Promise<WAMessage> => {
    if (plan.type === 'content') {
      const sent = await sock.sendMessage(out.remoteJid, plan.content, plan.options);
      if (!sent) throw new Error('The library sent nothing');
      return sent;
    }
    const msg = generateWAMessageFromContent(out.remoteJid, plan.message, { userJid: sock.user!.id, ...(out.options.keyId ? { messageId: out.options.keyId } : {}) });
    await sock.relayMessage(out.remoteJid, msg.message!, { messageId: msg.key.id!, ...(plan.attrs ? { additionalAttributes: plan.attrs } : {}) });
    return msg;
  })();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendStalled()), timeoutMs);
  });
  try {
    return await Promise.race([sending, stalled]);
  } finally {
    clearTimeout(timer);
    sending.catch(() => undefined);
  }
}
