import { randomUUID } from 'node:crypto';
import { defineProvider } from '../kinds.js';
import { endpoint, platformSession } from './common.js';

type Part = { type?: string; kind?: string; text?: string };
type A2AResult = { artifacts?: Array<{ parts?: Part[] }>; status?: { message?: { parts?: Part[] } }; parts?: Part[]; contextId?: string };

/**
 * EvoAI: an agent behind the A2A protocol (JSON-RPC 2.0 over HTTP). Each turn is `message/send` to `agentUrl` with the
 * user's text (and a file part for media) and the session as `contextId`; the `x-api-key` header carries `apiKey`.
 * The answer is the text of the task's artifacts (or of its status message, or of a direct message result).
 */
export const evoai = defineProvider('evoai', {
  ...endpoint('agentUrl', "The agent's A2A endpoint", 'Sent as x-api-key'),
  async converse(turn) {
    const { bot, session, input, http } = turn;
    const contextId = platformSession(turn) ?? randomUUID();
    const parts: Array<Record<string, unknown>> = [{ type: 'text', text: input.text }];
    if (input.media?.url) parts.push({ type: 'file', file: { name: input.media.fileName ?? input.media.type, mimeType: input.media.mimetype ?? 'application/octet-stream', uri: input.media.url } });
    const request = {
      jsonrpc: '2.0',
      id: randomUUID(),
      method: 'message/send',
      params: { contextId, message: { role: 'user', parts, messageId: randomUUID() }, metadata: { remoteJid: session.remoteJid, pushName: input.pushName ?? session.pushName, instanceName: turn.instance.name } },
    };
    const res = await http.json<{ result?: A2AResult; error?: { message?: string } }>(String(bot.config.agentUrl), { json: request, headers: bot.secrets.apiKey ? { 'x-api-key': bot.secrets.apiKey } : {} });
    if (res.error) throw new Error(`agent error: ${res.error.message ?? 'unknown'}`);
    const r = res.result ?? {};
    const fromArtifacts = (r.artifacts ?? []).flatMap((a) => a.parts ?? []);
    const texts = [...fromArtifacts, ...(fromArtifacts.length ? [] : (r.status?.message?.parts ?? r.parts ?? []))].filter((p) => (p.type ?? p.kind) === 'text' && p.text?.trim()).map((p) => p.text!);
    return { answers: texts.length ? [{ type: 'text', text: texts.join('\n\n') }] : [], sessionId: r.contextId ?? contextId };
  },
});
