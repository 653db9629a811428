import { Type } from 'typebox';
import type { ChatbotProvider } from '../provider.js';
import { firstText, turnVariables } from './common.js';

/**
 * n8n: a workflow's Webhook node. The turn is POSTed as JSON (`chatInput`, `sessionId`, the chat and the instance) to
 * `webhookUrl`, with HTTP basic auth when a user is set; the workflow answers `output` (or `answer`, `text`, `message`),
 * as an object or as the first item of an array (n8n's "respond with all items").
 */
export const n8n: ChatbotProvider = {
  kind: 'n8n',
  label: 'N8n',
  idParam: 'n8nId',
  fields: {
    webhookUrl: Type.String({ minLength: 1, description: "The workflow's production webhook URL" }),
    basicAuthUser: Type.Optional(Type.String()),
    basicAuthPassword: Type.Optional(Type.String({ description: 'Answered masked, as basicAuthPass' })),
  },
  secretFields: { basicAuthPassword: 'basicAuthPass' },
  settingsRequireSplit: true,
  enabled: (config) => config.chatbots.n8n,
  async converse(turn) {
    const { bot, session, input, http } = turn;
    const user = bot.config.basicAuthUser;
    const headers: Record<string, string> = typeof user === 'string' && user ? { authorization: `Basic ${Buffer.from(`${user}:${bot.secrets.basicAuthPassword ?? ''}`).toString('base64')}` } : {};
    const body = { chatInput: input.text, sessionId: session.sessionId, ...turnVariables(turn), ...(input.media ? { mediaType: input.media.type, mediaUrl: input.media.url ?? null } : {}) };
    const res = await http.json<unknown>(String(bot.config.webhookUrl), { json: body, headers });
    const item = (Array.isArray(res) ? res[0] : res) as Record<string, unknown> | string | undefined;
    const text = typeof item === 'string' ? item : firstText(item?.output, item?.answer, item?.text, item?.message);
    return { answers: text ? [{ type: 'text', text }] : [] };
  },
};
