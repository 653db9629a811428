import { Type } from 'typebox';
import { defineProvider } from '../kinds.js';
import type { ProviderLookup, Turn } from '../provider.js';
import { badRequest } from '../../domain/errors.js';
import { bearer, platformSession } from './common.js';
import { joinUrl, type BotHttp } from './http.js';

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: unknown };
type Run = { id: string; status: string; required_action?: { submit_tool_outputs?: { tool_calls?: Array<{ id: string; function?: { name?: string; arguments?: string } }> } }; last_error?: { message?: string } };

/** Turns of a chat-completions conversation kept in the session (each turn is a user and an assistant message). */
const HISTORY_TURNS = 10;
const RUN_POLL_MS = 400;

async function apiKeyOf(instanceId: string, credsId: unknown, lookup: ProviderLookup): Promise<string> {
  const key = typeof credsId === 'string' ? await lookup.openaiKey(instanceId, credsId) : undefined;
  if (!key) throw new Error('no OpenAI credentials for this bot');
  return key;
}

/** Whisper: the audio's words, or undefined when there is no audio to read. */
export async function transcribe(http: BotHttp, base: string, apiKey: string, audio: Buffer, mimetype = 'audio/ogg'): Promise<string | undefined> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(audio)], { type: mimetype }), `audio.${mimetype.includes('mpeg') ? 'mp3' : 'ogg'}`);
  form.append('model', 'whisper-1');
  const res = await http.json<{ text?: string }>(joinUrl(base, 'audio/transcriptions'), { form, headers: bearer(apiKey) });
  return res.text?.trim() || undefined;
}

export async function listModels(http: BotHttp, base: string, apiKey: string): Promise<unknown[]> {
  const res = await http.json<{ data?: unknown[] }>(joinUrl(base, 'models'), { headers: bearer(apiKey) });
  return res.data ?? [];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

async function chatCompletion(turn: Turn, apiKey: string, text: string) {
  const { bot, session, input, http } = turn;
  const c = bot.config;
  const history = (session.context?.history as ChatMessage[] | undefined) ?? [];
  const user: ChatMessage = input.media?.type === 'image' && input.media.url ? { role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: { url: input.media.url } }] } : { role: 'user', content: text };
  const messages: ChatMessage[] = [
    ...strings(c.systemMessages).map((content) => ({ role: 'system' as const, content })),
    ...strings(c.assistantMessages).map((content) => ({ role: 'assistant' as const, content })),
    ...strings(c.userMessages).map((content) => ({ role: 'user' as const, content })),
    ...history,
    user,
  ];
  const res = await http.json<{ choices?: Array<{ message?: { content?: string } }> }>(joinUrl(turn.lookup.openaiApiUrl, 'chat/completions'), { headers: bearer(apiKey), json: { model: c.model ?? 'gpt-4o-mini', messages, ...(typeof c.maxTokens === 'number' ? { max_tokens: c.maxTokens } : {}) } });
  const answer = res.choices?.[0]?.message?.content ?? '';
  const kept = [...history, { role: 'user' as const, content: text }, { role: 'assistant' as const, content: answer }].slice(-HISTORY_TURNS * 2);
  return { answers: answer.trim() ? [{ type: 'text' as const, text: answer }] : [], context: { ...session.context, history: kept } };
}

/** Assistants API v2: a thread per session, the user's message added, a run polled until done (tools through functionUrl). */
async function assistant(turn: Turn, apiKey: string, text: string) {
  const { bot, http } = turn;
  const headers = { ...bearer(apiKey), 'OpenAI-Beta': 'assistants=v2' };
  const url = (p: string) => joinUrl(turn.lookup.openaiApiUrl, p);
  const thread = platformSession(turn) ?? (await http.json<{ id: string }>(url('threads'), { headers, json: {} })).id;
  await http.json(url(`threads/${thread}/messages`), { headers, json: { role: 'user', content: text } });
  let run = await http.json<Run>(url(`threads/${thread}/runs`), { headers, json: { assistant_id: bot.config.assistantId } });
  const deadline = Date.now() + 120_000;
  while (['queued', 'in_progress', 'requires_action', 'cancelling'].includes(run.status)) {
    if (Date.now() > deadline) throw new Error('assistant run took too long');
    if (run.status === 'requires_action') {
      const calls = run.required_action?.submit_tool_outputs?.tool_calls ?? [];
      const tool_outputs = [];
      for (const call of calls) tool_outputs.push({ tool_call_id: call.id, output: await callFunction(turn, call.function?.name ?? '', call.function?.arguments ?? '{}') });
      run = await http.json<Run>(url(`threads/${thread}/runs/${run.id}/submit_tool_outputs`), { headers, json: { tool_outputs } });
      continue;
    }
    await new Promise((r) => setTimeout(r, RUN_POLL_MS));
    run = await http.json<Run>(url(`threads/${thread}/runs/${run.id}`), { headers });
  }
  if (run.status !== 'completed') throw new Error(`assistant run ${run.status}: ${run.last_error?.message ?? ''}`);
  const list = await http.json<{ data?: Array<{ role?: string; content?: Array<{ type?: string; text?: { value?: string } }> }> }>(url(`threads/${thread}/messages?run_id=${encodeURIComponent(run.id)}&order=desc&limit=1`), { headers });
  const answer = (list.data?.[0]?.content ?? []).filter((p) => p.type === 'text').map((p) => p.text?.value ?? '').join('\n');
  return { answers: answer.trim() ? [{ type: 'text' as const, text: answer }] : [], sessionId: thread };
}

/** An assistant's function call, answered by the bot's functionUrl (POST {functionName, arguments}). */
async function callFunction(turn: Turn, name: string, args: string): Promise<string> {
  const functionUrl = turn.bot.config.functionUrl;
  if (typeof functionUrl !== 'string' || !functionUrl) return JSON.stringify({ error: 'no functionUrl is set for this bot' });
  let parsed: unknown = args;
  try {
    parsed = JSON.parse(args);
  } catch {
    /* the raw string */
  }
  const out = await turn.http.text(functionUrl, { json: { functionName: name, arguments: parsed, remoteJid: turn.session.remoteJid, instanceName: turn.instance.name } });
  return out;
}

/**
 * OpenAI: chat completions (the bot's system, assistant and user messages, then the chat's recent history) or an
 * Assistant (a thread per session). Credentials are the instance's, stored sealed (`/openai/creds`). With
 * `speechToText` in the settings, voice notes are transcribed with Whisper and the words are the turn's text.
 */
export const openai = defineProvider('openai', {
  fields: {
    openaiCredsId: Type.String({ minLength: 1, description: 'Credentials created with /openai/creds' }),
    botType: Type.String({ enum: ['assistant', 'chatCompletion'] }),
    assistantId: Type.Optional(Type.String()),
    functionUrl: Type.Optional(Type.String({ description: "Answers the assistant's function calls" })),
    model: Type.Optional(Type.String()),
    systemMessages: Type.Optional(Type.Array(Type.String())),
    assistantMessages: Type.Optional(Type.Array(Type.String())),
    userMessages: Type.Optional(Type.Array(Type.String())),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  secretFields: {},
  settingsFields: { openaiCredsId: Type.String({ minLength: 1 }), speechToText: Type.Optional(Type.Boolean({ description: 'Transcribe voice notes with Whisper' })) },
  async check(instanceId, config, lookup) {
    if (config.openaiCredsId !== undefined && !(await lookup.openaiKey(instanceId, String(config.openaiCredsId)))) throw badRequest('Openai Creds not found');
    if (config.botType === 'assistant' && config.assistantId !== undefined && !config.assistantId) throw badRequest('Assistant ID is required');
  },
  async converse(turn) {
    const apiKey = await apiKeyOf(turn.instance.id, turn.bot.config.openaiCredsId, turn.lookup);
    let text = turn.input.text;
    if (turn.input.media?.type === 'audio' && turn.settings.extra.speechToText) {
      const audio = await turn.mediaBytes();
      const words = audio ? await transcribe(turn.http, turn.lookup.openaiApiUrl, apiKey, audio, turn.input.media.mimetype) : undefined;
      if (words) text = text ? `${text}\n${words}` : words;
    }
    if (!text.trim()) return { answers: turn.behaviour.unknownMessage ? [{ type: 'text', text: turn.behaviour.unknownMessage }] : [] };
    return turn.bot.config.botType === 'assistant' ? assistant(turn, apiKey, text) : chatCompletion(turn, apiKey, text);
  },
});
