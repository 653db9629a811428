import { Type } from 'typebox';
import { defineProvider } from '../kinds.js';
import { firstText, turnVariables } from './common.js';

/**
 * n8n: a workflow's Webhook node. The turn is POSTed as JSON (`chatInput`, `sessionId`, the chat and the instance) to
 * `webhookUrl`, with HTTP basic auth when a user is set; the workflow answers `output` (or `answer`, `text`, `message`),
 * as an object or as the first item of an array (n8n's "respond with all items").
 */
export const n8n = defineProvider('n8n', {
  fields: {
    webhookUrl: Type.String({ minLength: 1, description: "The workflow's production webhook URL" }),
    basicAuthUser: Type.Optional(Type.String()),
    basicAuthPassword: Type.Optional(Type.String({ description: 'Answered masked, as basicAuthPass' })),
  },
  secretFields: { basicAuthPassword: 'basicAuthPass' },
  async converse(turn) {
    const { bot, session, input, http } = turn;
    const headers = basicAuth(bot.config.basicAuthUser, bot.secrets.basicAuthPassword);
    const body = { chatInput: input.text, sessionId: session.sessionId, ...turnVariables(turn), ...(input.media ? { mediaType: input.media.type, mediaUrl: input.media.url ?? null } : {}) };
    const res = await http.json<unknown>(String(bot.config.webhookUrl), { json: body, headers });
    const item = (Array.isArray(res) ? res[0] : res) as Record<string, unknown> | string | undefined;
    const text = typeof item === 'string' ? item : firstText(item?.output, item?.answer, item?.text, item?.message);
    return { answers: text ? [{ type: 'text', text }] : [] };
  },
});

function basicAuth(user: unknown, password: string | undefined): Record<string, string> {
  if (typeof user !== 'string' || !user) return {};
  return { authorization: `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}` };
}
