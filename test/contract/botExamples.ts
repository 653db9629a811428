import type { Example } from './examples.js';
import { B, jidOf, type World } from './world.js';

/** The chatbot route families (§2.11): one generic set of examples per kind, and the kinds' own routes. */
export const BOT_KINDS = ['evolutionBot', 'typebot', 'openai', 'dify', 'flowise', 'n8n', 'evoai'] as const;
const ID_PARAM: Record<string, string> = { evolutionBot: 'evolutionBotId', typebot: 'typebotId', openai: 'openaiBotId', dify: 'difyId', flowise: 'flowiseId', n8n: 'n8nId', evoai: 'evoaiId' };

/** A local endpoint the walker's server never calls for these routes (bots only talk when a message comes). */
const ENDPOINT = 'http://127.0.0.1:9/bot';
/** Where the walker's fake Typebot and OpenAI listen (set by routes.test.ts). */
export const botFakes = { url: '' };

const made = new WeakMap<World, Map<string, Promise<string>>>();
function once(w: World, key: string, make: () => Promise<string>): Promise<string> {
  let m = made.get(w);
  if (!m) made.set(w, (m = new Map()));
  let p = m.get(key);
  if (!p) m.set(key, (p = make()));
  return p;
}

async function must(w: World, what: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await w.call(method, path, body);
  if (res.status >= 300) throw new Error(`fixture "${what}" (${method} ${path}) failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** OpenAI credentials of the walker's instance. */
export const openaiCreds = (w: World, name = 'walker') => once(w, `creds-${name}`, async () => (await must(w, `openai credentials ${name}`, 'POST', `/openai/creds/${w.instance}`, { name, apiKey: `sk-walker-${name}-0123456789` })).id as string);

async function ownFields(w: World, kind: string): Promise<Record<string, unknown>> {
  switch (kind) {
    case 'typebot': return { url: ENDPOINT, typebot: 'walker' };
    case 'openai': return { openaiCredsId: await openaiCreds(w), botType: 'chatCompletion', model: 'gpt-4o-mini' };
    case 'dify': return { botType: 'chatBot', apiUrl: ENDPOINT, apiKey: 'app-walker' };
    case 'n8n': return { webhookUrl: ENDPOINT, basicAuthUser: 'walker', basicAuthPassword: 'walker-pass' };
    case 'evoai': return { agentUrl: ENDPOINT, apiKey: 'evo-walker' };
    default: return { apiUrl: ENDPOINT, apiKey: 'walker-key' };
  }
}

let triggers = 0;
const botBody = async (w: World, kind: string) => ({ enabled: true, description: 'contract walker', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: `walker-${kind}-${++triggers}`, ...(await ownFields(w, kind)) });
const bot = (w: World, kind: string, name: string) => once(w, `${kind}-${name}`, async () => (await must(w, `a ${kind} bot`, 'POST', `/${kind}/create/${w.instance}`, await botBody(w, kind))).id as string);

const settings = async (w: World, kind: string) => ({ expire: 0, keywordFinish: '#stop', delayMessage: 0, unknownMessage: 'Sorry?', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 0, ignoreJids: [], splitMessages: false, timePerChar: 0, ...(kind === 'openai' ? { openaiCredsId: await openaiCreds(w), speechToText: false } : {}) });

const BOT_KEYS = ['id', 'enabled', 'description', 'triggerType', 'triggerOperator', 'triggerValue', 'expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime', 'ignoreJids', 'splitMessages', 'timePerChar', 'createdAt', 'updatedAt', 'instanceId'];
const SETTINGS_KEYS = ['expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime', 'ignoreJids', 'splitMessages', 'timePerChar', 'fallbackId'];

export const BOT_EXAMPLES: Record<string, Example> = {};
for (const kind of BOT_KINDS) {
  const id = ID_PARAM[kind]!;
  const withBot = (name: string) => async (w: World) => ({ [id]: await bot(w, kind, name) });
  Object.assign(BOT_EXAMPLES, {
    [`POST /${kind}/create/:instanceName`]: { shape: 'object', keys: BOT_KEYS, body: (w: World) => botBody(w, kind) },
    [`GET /${kind}/find/:instanceName`]: { shape: 'array', keys: BOT_KEYS, ids: async (w: World) => (await bot(w, kind, 'main'), {}) },
    [`GET /${kind}/fetch/:${id}/:instanceName`]: { shape: 'object', keys: BOT_KEYS, ids: withBot('main') },
    [`PUT /${kind}/update/:${id}/:instanceName`]: { shape: 'object', keys: BOT_KEYS, ids: withBot('main'), body: (w: World) => botBody(w, kind) },
    [`DELETE /${kind}/delete/:${id}/:instanceName`]: { shape: 'object', keys: ['bot'], ids: withBot('disposable') },
    [`POST /${kind}/settings/:instanceName`]: { shape: 'object', keys: SETTINGS_KEYS, body: (w: World) => settings(w, kind) },
    [`GET /${kind}/fetchSettings/:instanceName`]: { shape: 'object', keys: SETTINGS_KEYS },
    [`POST /${kind}/changeStatus/:instanceName`]: { shape: 'object', keys: ['bot'], body: () => ({ remoteJid: jidOf(B), status: 'paused' }) },
    [`GET /${kind}/fetchSessions/:${id}/:instanceName`]: { shape: 'array', keys: [], ids: withBot('main') },
    [`POST /${kind}/ignoreJid/:instanceName`]: { shape: 'object', keys: ['ignoreJids'], body: () => ({ remoteJid: '5511977770077@s.whatsapp.net', action: 'add' }) },
  } satisfies Record<string, Example>);
}
Object.assign(BOT_EXAMPLES, {
  'POST /typebot/start/:instanceName': { shape: 'object', keys: ['typebot'], body: () => ({ remoteJid: jidOf(B), url: botFakes.url, typebot: 'walker-flow', startSession: true, variables: [{ name: 'origin', value: 'walker' }] }) },
  'POST /openai/creds/:instanceName': { shape: 'object', keys: ['id', 'name', 'apiKey', 'createdAt', 'updatedAt', 'instanceId'], body: () => ({ name: 'walker-new', apiKey: 'sk-walker-new-0123456789' }) },
  'GET /openai/creds/:instanceName': { shape: 'array', keys: ['id', 'name', 'apiKey'], ids: async (w: World) => (await openaiCreds(w), {}) },
  'DELETE /openai/creds/:openaiCredsId/:instanceName': { shape: 'object', keys: ['openaiCreds'], ids: async (w: World) => ({ openaiCredsId: await openaiCreds(w, 'disposable') }) },
  'GET /openai/getModels/:instanceName': { shape: 'array', keys: ['id'], query: async (w: World) => `openaiCredsId=${await openaiCreds(w)}` },
} satisfies Record<string, Example>);
