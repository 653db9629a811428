import { defineProvider } from '../kinds.js';
import type { Answer } from '../types.js';
import { bearer, endpoint, turnVariables } from './common.js';

/**
 * Evolution Bot: any HTTP endpoint. The gateway POSTs the turn as JSON to `apiUrl` (Bearer `apiKey` when set) and
 * sends back the answer's `message` (text; Markdown media links become media), or each of `messages`.
 */
export const evolutionBot = defineProvider('evolutionBot', {
  ...endpoint('apiUrl', 'The endpoint the gateway POSTs each turn to', 'Sent as Authorization: Bearer'),
  async converse(turn) {
    const { bot, session, input, http } = turn;
    const body = {
      query: input.text,
      sessionId: session.sessionId,
      ...turnVariables(turn),
      messageType: input.messageType,
      ...(input.media ? { mediaType: input.media.type, mediaUrl: input.media.url ?? null } : {}),
    };
    const res = await http.json<{ message?: unknown; messages?: unknown }>(String(bot.config.apiUrl), { json: body, headers: bearer(bot.secrets.apiKey) });
    return { answers: textAnswers(res) };
  },
});

/** `{message: "..."}` or `{messages: ["...", ...]}` (or a bare string) as text answers. */
export function textAnswers(res: unknown): Answer[] {
  if (typeof res === 'string') return res.trim() ? [{ type: 'text', text: res }] : [];
  const r = (res ?? {}) as { message?: unknown; messages?: unknown };
  const list = Array.isArray(r.messages) ? r.messages : [r.message];
  return list.filter((m): m is string => typeof m === 'string' && !!m.trim()).map((text) => ({ type: 'text', text }));
}
