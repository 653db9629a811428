import { Type } from 'typebox';
import { defineProvider } from '../kinds.js';
import type { Turn } from '../provider.js';
import { bearer, firstText, platformSession, turnVariables } from './common.js';
import { joinUrl } from './http.js';

type Outputs = Record<string, unknown>;

/**
 * Dify: an app's service API (`apiUrl` = `https://api.dify.ai/v1` or a self-hosted `/v1`, `apiKey` = the app key).
 * chatBot: `/chat-messages` (blocking) keeping Dify's `conversation_id` as the session; agent: the same endpoint in
 * streaming mode (agents only stream), the answer gathered from the events; textGenerator: `/completion-messages`;
 * workflow: `/workflows/run`, the answer read from the outputs. Images go as remote-URL files.
 */
export const dify = defineProvider('dify', {
  fields: {
    botType: Type.String({ enum: ['chatBot', 'textGenerator', 'agent', 'workflow'] }),
    apiUrl: Type.Optional(Type.String({ description: "The app's API base, e.g. https://api.dify.ai/v1" })),
    apiKey: Type.Optional(Type.String({ description: "The app's API key (Bearer)" })),
  },
  secretFields: { apiKey: 'apiKey' },
  async converse(turn) {
    const { bot, session } = turn;
    const base = String(bot.config.apiUrl ?? '');
    if (!base) throw new Error('the Dify bot has no apiUrl');
    const headers = bearer(bot.secrets.apiKey);
    const inputs = turnVariables(turn);
    const files = imageFiles(turn);
    const user = session.remoteJid;
    switch (bot.config.botType) {
      case 'textGenerator': {
        const res = await turn.http.json<{ answer?: string }>(joinUrl(base, 'completion-messages'), { headers, json: { inputs: { ...inputs, query: turn.input.text }, query: turn.input.text, response_mode: 'blocking', user, files } });
        return { answers: texts(res.answer) };
      }
      case 'workflow': {
        const res = await turn.http.json<{ data?: { outputs?: Outputs; status?: string; error?: string } }>(joinUrl(base, 'workflows/run'), { headers, json: { inputs: { ...inputs, query: turn.input.text }, response_mode: 'blocking', user, files } });
        if (res.data?.status && res.data.status !== 'succeeded') throw new Error(`workflow ${res.data.status}: ${res.data.error ?? ''}`);
        const o = res.data?.outputs ?? {};
        return { answers: texts(firstText(o.answer, o.text, o.output, o.result, ...Object.values(o))) };
      }
      case 'agent': {
        const events = await turn.http.events(joinUrl(base, 'chat-messages'), { headers, json: { inputs, query: turn.input.text, response_mode: 'streaming', conversation_id: platformSession(turn) ?? '', user, files } });
        const failed = events.find((e) => e.event === 'error');
        if (failed) throw new Error(`agent error: ${String(failed.message ?? '')}`);
        const answer = events.filter((e) => e.event === 'agent_message' || e.event === 'message').map((e) => String(e.answer ?? '')).join('');
        const conversation = events.map((e) => e.conversation_id).find((c): c is string => typeof c === 'string' && !!c);
        return { answers: texts(answer), ...(conversation ? { sessionId: conversation } : {}) };
      }
      default: {
        const res = await turn.http.json<{ answer?: string; conversation_id?: string }>(joinUrl(base, 'chat-messages'), { headers, json: { inputs, query: turn.input.text, response_mode: 'blocking', conversation_id: platformSession(turn) ?? '', user, files } });
        return { answers: texts(res.answer), ...(res.conversation_id ? { sessionId: res.conversation_id } : {}) };
      }
    }
  },
});

function imageFiles({ input }: Turn): Array<Record<string, string>> {
  return input.media?.type === 'image' && input.media.url ? [{ type: 'image', transfer_method: 'remote_url', url: input.media.url }] : [];
}

const texts = (t: string | undefined) => (t?.trim() ? [{ type: 'text' as const, text: t }] : []);
