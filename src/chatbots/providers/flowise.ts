import { defineProvider } from '../kinds.js';
import { bearer, endpoint, firstText, turnVariables } from './common.js';

/**
 * Flowise: a chatflow's Prediction API. `apiUrl` is the prediction URL (`https://host/api/v1/prediction/<chatflow id>`);
 * the turn goes as `question` with the session in `overrideConfig.sessionId` (Flowise keeps the memory per session)
 * and the chat's details in `overrideConfig.vars`; an image goes in `uploads` by URL. The answer is `text`.
 */
export const flowise = defineProvider('flowise', {
  ...endpoint('apiUrl', 'The prediction URL: https://host/api/v1/prediction/<chatflow id>', "The chatflow's API key (Bearer)"),
  async converse(turn) {
    const { bot, session, input, http } = turn;
    const image = input.media?.type === 'image' && input.media.url ? [{ data: input.media.url, type: 'url', name: input.media.fileName ?? 'image', mime: input.media.mimetype ?? 'image/jpeg' }] : undefined;
    const body = { question: input.text, overrideConfig: { sessionId: session.sessionId, vars: turnVariables(turn) }, ...(image ? { uploads: image } : {}) };
    const res = await http.json<{ text?: unknown; json?: unknown }>(String(bot.config.apiUrl), { json: body, headers: bearer(bot.secrets.apiKey) });
    const text = typeof res === 'string' ? res : firstText(res.text, typeof res.json === 'object' ? JSON.stringify(res.json) : undefined);
    return { answers: text ? [{ type: 'text', text }] : [] };
  },
});
