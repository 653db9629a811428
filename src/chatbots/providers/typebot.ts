import { Type } from 'typebox';
import { defineProvider } from '../kinds.js';
import type { Reply, Turn } from '../provider.js';
import type { Answer } from '../types.js';
import { BotHttpError, joinUrl, type BotHttp } from './http.js';
import { platformSession } from './common.js';

type RichNode = { text?: string; type?: string; bold?: boolean; italic?: boolean; strikethrough?: boolean; url?: string; children?: RichNode[] };
type Bubble = { id?: string; type: string; content?: { type?: string; markdown?: string; richText?: RichNode[]; url?: string; plainText?: string } };
type ChoiceItem = { id?: string; content?: string };
type ChatAnswer = { sessionId?: string; messages?: Bubble[]; input?: { type?: string; items?: ChoiceItem[]; options?: { buttonLabel?: string } }; clientSideActions?: unknown[] };

/** Slate rich text (Typebot's text bubbles) as WhatsApp text: *bold*, _italic_, ~strike~, links as "text (url)". */
export function richTextToWhatsApp(nodes: RichNode[] | undefined): string {
  const inline = (n: RichNode): string => {
    if (n.text !== undefined) {
      let t = n.text;
      if (t.trim() && n.bold) t = `*${t}*`;
      if (t.trim() && n.italic) t = `_${t}_`;
      if (t.trim() && n.strikethrough) t = `~${t}~`;
      return t;
    }
    const inner = (n.children ?? []).map(inline).join('');
    if (n.type === 'a' && n.url) return inner && inner !== n.url ? `${inner} (${n.url})` : n.url;
    return inner;
  };
  return (nodes ?? []).map(inline).join('\n');
}

/** A Typebot answer as WhatsApp answers: text, media bubbles, and the choice input as buttons (up to 3) or a list. */
function answersOf(res: ChatAnswer): { answers: Answer[]; choices: string[] } {
  const answers: Answer[] = [];
  for (const m of res.messages ?? []) {
    const c = m.content ?? {};
    if (m.type === 'text') {
      const text = c.markdown ?? (c.richText ? richTextToWhatsApp(c.richText) : (c.plainText ?? ''));
      if (text.trim()) answers.push({ type: 'text', text });
    } else if ((m.type === 'image' || m.type === 'video' || m.type === 'audio') && c.url) {
      answers.push({ type: 'media', mediatype: m.type, url: c.url });
    } else if (m.type === 'embed' && c.url) answers.push({ type: 'text', text: c.url });
  }
  const items = res.input?.type === 'choice input' ? (res.input.items ?? []).map((i) => i.content ?? '').filter(Boolean) : [];
  if (items.length && items.length <= 3) answers.push({ type: 'buttons', description: 'Choose one', buttons: items.map((t) => ({ id: t, displayText: t })) });
  else if (items.length) answers.push({ type: 'list', title: 'Choose one', buttonText: res.input?.options?.buttonLabel ?? 'Options', sections: [{ title: 'Options', rows: items.slice(0, 10).map((t) => ({ title: t, rowId: t })) }] });
  return { answers, choices: items };
}

export interface TypebotStart {
  url: string;
  typebot: string;
  prefilledVariables: Record<string, unknown>;
}

/** Starts a Typebot flow: its greeting and first input as answers, and Typebot's session id. */
export async function startTypebot(http: BotHttp, s: TypebotStart): Promise<Reply> {
  const res = await http.json<ChatAnswer>(joinUrl(s.url, `api/v1/typebots/${encodeURIComponent(s.typebot)}/startChat`), { json: { isStreamEnabled: false, textBubbleContentFormat: 'markdown', prefilledVariables: s.prefilledVariables } });
  return replyOf(res, res.sessionId);
}

function replyOf(res: ChatAnswer, sessionId: string | undefined): Reply {
  const { answers, choices } = answersOf(res);
  // No input block waiting: the flow reached its end.
  return { answers, ...(sessionId ? { sessionId } : {}), context: { choices }, end: !res.input };
}

export function typebotVariables(turn: Pick<Turn, 'session' | 'instance'> & { input?: Turn['input'] }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { remoteJid: turn.session.remoteJid, pushName: turn.input?.pushName ?? turn.session.pushName, instanceName: turn.instance.name, serverUrl: turn.instance.serverUrl ?? null, apiKey: turn.instance.token, ...extra };
}

/**
 * Typebot (v2+ chat API): a session opens with `startChat` (prefilled with the chat's variables) and each turn is
 * `continueChat` on Typebot's session. Text, image, video and audio bubbles become messages; a choice input becomes
 * buttons or a list (a reply by its number picks that choice). A flow that ends closes the session.
 */
export const typebot = defineProvider('typebot', {
  fields: { url: Type.String({ minLength: 1, description: 'The Typebot viewer URL, e.g. https://typebot.io' }), typebot: Type.String({ minLength: 1, description: "The typebot's public id" }) },
  secretFields: {},
  async converse(turn) {
    const { bot, input, http } = turn;
    const url = String(bot.config.url);
    const current = platformSession(turn);
    if (!current) return startTypebot(http, { url, typebot: String(bot.config.typebot), prefilledVariables: typebotVariables(turn) });
    const choices = (turn.session.context?.choices as string[] | undefined) ?? [];
    const picked = /^\d+$/.test(input.text.trim()) ? choices[Number(input.text.trim()) - 1] : undefined;
    const message = { type: 'text', text: picked ?? input.text, ...(input.media?.url ? { attachedFileUrls: [input.media.url] } : {}) };
    try {
      const res = await http.json<ChatAnswer>(joinUrl(url, `api/v1/sessions/${encodeURIComponent(current)}/continueChat`), { json: { message, textBubbleContentFormat: 'markdown' } });
      return replyOf(res, current);
    } catch (err) {
      // Typebot forgot the session (expired on its side): start the flow again.
      if (err instanceof BotHttpError && err.status === 404) return startTypebot(http, { url, typebot: String(bot.config.typebot), prefilledVariables: typebotVariables(turn) });
      throw err;
    }
  },
});
