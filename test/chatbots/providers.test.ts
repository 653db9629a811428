import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakePlatform } from './fakePlatform.js';
import { Conversation, waitFor } from './conversation.js';
import { connectedSandbox } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

/**
 * Each provider against a local fake of its platform speaking the real wire format, in a sandbox conversation:
 * a contact writes, the bot's answer is sent (stored, in webhooks, and received by the other sandbox phone).
 * The engine's own behaviour is tested once, in engine.test.ts.
 */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 1)]);
const files = new FakePlatform();
let c: Conversation;
let contact = 5511977773000;
const next = () => String(++contact);

const typebotFake = new FakePlatform();
const openaiFake = new FakePlatform();
const difyFake = new FakePlatform();
const flowiseFake = new FakePlatform();
const n8nFake = new FakePlatform();
const evoaiFake = new FakePlatform();
const hook = new WebhookReceiver();

beforeAll(async () => {
  await Promise.all([files, typebotFake, openaiFake, difyFake, flowiseFake, n8nFake, evoaiFake, hook].map((f) => f.start()));
  files.on('GET', '/logo.png', () => ({ contentType: 'image/png', body: PNG })).on('GET', '/voice.ogg', () => ({ contentType: 'audio/ogg', body: OGG }));
  c = await Conversation.open({ TYPEBOT_ENABLED: 'true', OPENAI_ENABLED: 'true', DIFY_ENABLED: 'true', FLOWISE_ENABLED: 'true', N8N_ENABLED: 'true', EVOAI_ENABLED: 'true', OPENAI_API_URL: `${openaiFake.url}/v1` }, 'providers', '5511977771101');
  const set = await c.api('POST', '/webhook/set/:i', { webhook: { enabled: true, url: hook.url, events: ['SEND_MESSAGE', 'TYPEBOT_START', 'TYPEBOT_CHANGE_STATUS'] } });
  expect(set.status).toBe(201);
}, 30_000);
afterAll(async () => {
  await c?.stop();
  await Promise.all([files, typebotFake, openaiFake, difyFake, flowiseFake, n8nFake, evoaiFake, hook].map((f) => f.stop()));
});

describe('Typebot', () => {
  beforeAll(() => {
    typebotFake.on('POST', '/api/v1/typebots/lead/startChat', (r) => ({
      json: {
        sessionId: `tb-${r.body.prefilledVariables.remoteJid.split('@')[0]}`,
        typebot: { id: 'cltb1', theme: {}, settings: {} },
        messages: [
          { id: 'b1', type: 'text', content: { type: 'richText', richText: [{ type: 'p', children: [{ text: 'Hello ' }, { text: String(r.body.prefilledVariables.pushName ?? 'there'), bold: true }] }] } },
          { id: 'b2', type: 'image', content: { url: `${files.url}/logo.png` } },
        ],
        input: { id: 'in1', type: 'choice input', items: [{ id: 'c1', content: 'Sales' }, { id: 'c2', content: 'Support' }], options: { isMultipleChoice: false } },
      },
    }));
    typebotFake.on('POST', /^\/api\/v1\/sessions\/tb-\d+\/continueChat$/, (r) => {
      const text = r.body.message?.text;
      if (text === 'Support') return { json: { messages: [{ id: 'b3', type: 'text', content: { type: 'markdown', markdown: 'Your *order* number?' } }], input: { id: 'in2', type: 'text input' } } };
      return { json: { messages: [{ id: 'b4', type: 'text', content: { type: 'markdown', markdown: `Thanks, we will look at ${text}.` } }] } };
    });
  });

  it('startChat with the chat as prefilled variables; bubbles, image and choices go out; a choice by its number; the flow ends and the session closes', async () => {
    await c.createBot('typebot', { url: typebotFake.url, typebot: 'lead', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'hi typebot' });
    const who = next();
    await c.say(who, 'hi typebot', { pushName: 'Ana' });
    const first = await c.waitSent(who, 3);
    expect(first).toEqual(['Hello *Ana*', '[imageMessage]', '[buttonsMessage]'].map((t, i) => (i === 2 ? first[2] : t)));
    const buttons = (await c.sent(who))[2];
    expect(JSON.stringify(buttons.message)).toContain('Support');
    expect(typebotFake.calls('/api/v1/typebots/lead/startChat')[0]!.body.prefilledVariables).toMatchObject({ remoteJid: `${who}@s.whatsapp.net`, pushName: 'Ana', instanceName: 'providers' });
    await c.say(who, '2');
    expect((await c.waitSent(who, 4))[3]).toBe('Your *order* number?');
    expect(typebotFake.calls(`/api/v1/sessions/tb-${who}/continueChat`)[0]!.body.message).toEqual({ type: 'text', text: 'Support' });
    await c.say(who, '4242');
    expect((await c.waitSent(who, 5))[4]).toBe('Thanks, we will look at 4242.');
    await c.settled(who);
    expect((await c.api('GET', '/typebot/fetchSessions/any/:i')).body.filter((s: any) => s.remoteJid === `${who}@s.whatsapp.net`)).toEqual([]);
  });

  it('/typebot/start opens a flow in a chat without a trigger and announces typebot.start', async () => {
    const who = next();
    const res = await c.api('POST', '/typebot/start/:i', { remoteJid: who, url: typebotFake.url, typebot: 'lead', startSession: true, variables: [{ name: 'origin', value: 'ad-7' }] });
    expect(res.status).toBe(200);
    expect(res.body.typebot.typebot).toMatchObject({ remoteJid: `${who}@s.whatsapp.net`, typebot: 'lead', prefilledVariables: { origin: 'ad-7' }, sessionId: `tb-${who}` });
    expect((await c.waitSent(who, 3))[0]).toBe('Hello *there*');
    const started = typebotFake.calls('/api/v1/typebots/lead/startChat').at(-1)!;
    expect(started.body.prefilledVariables).toMatchObject({ origin: 'ad-7', remoteJid: `${who}@s.whatsapp.net` });
    await waitFor(() => hook.received.find((r) => r.body?.event === 'typebot.start' && r.body.data?.remoteJid === `${who}@s.whatsapp.net`), 5000, 'typebot.start');
    const start = hook.received.find((r) => r.body?.event === 'typebot.start')!;
    expect(start.body.data).toEqual({ remoteJid: `${who}@s.whatsapp.net`, url: typebotFake.url, typebot: 'lead', variables: { origin: 'ad-7' }, sessionId: `tb-${who}` });
    const paused = await c.api('POST', '/typebot/changeStatus/:i', { remoteJid: who, status: 'paused' });
    expect(paused.status).toBe(200);
    await waitFor(() => hook.received.find((r) => r.body?.event === 'typebot.change-status' && r.body.data?.status === 'paused'), 5000, 'typebot.change-status');
    // The start-only bot does not take other chats' messages.
    const other = next();
    await c.say(other, 'random words');
    await c.settled(other);
    expect(await c.sent(other)).toEqual([]);
  });
});

describe('OpenAI', () => {
  let credsId = '';
  beforeAll(async () => {
    const auth = (r: any) => r.headers.authorization === 'Bearer sk-test-openai-0001';
    openaiFake.on('POST', '/v1/chat/completions', (r) => {
      if (!auth(r)) return { status: 401, json: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } };
      const last = r.body.messages.at(-1);
      return { json: { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: r.body.model, choices: [{ index: 0, message: { role: 'assistant', content: `You said: ${typeof last.content === 'string' ? last.content : last.content[0].text} (${r.body.messages.length} messages)` }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } };
    });
    openaiFake.on('POST', '/v1/audio/transcriptions', (r) => (auth(r) && r.raw.toString('latin1').includes('whisper-1') ? { json: { text: 'what time do you open' } } : { status: 400, json: { error: { message: 'bad' } } }));
    openaiFake.on('GET', '/v1/models', (r) => (auth(r) ? { json: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] } } : { status: 401, json: {} }));
    let polled = 0;
    openaiFake.on('POST', '/v1/threads', () => ({ json: { id: 'thread_1', object: 'thread', created_at: 1, metadata: {} } }));
    openaiFake.on('POST', '/v1/threads/thread_1/messages', () => ({ json: { id: 'msg_u1', object: 'thread.message', role: 'user' } }));
    openaiFake.on('POST', '/v1/threads/thread_1/runs', (r) => ({ json: { id: 'run_1', object: 'thread.run', status: 'queued', assistant_id: r.body.assistant_id, thread_id: 'thread_1' } }));
    openaiFake.on('GET', '/v1/threads/thread_1/runs/run_1', () => {
      polled += 1;
      if (polled === 1) return { json: { id: 'run_1', status: 'requires_action', required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'order_status', arguments: '{"order":"42"}' } }] } } } };
      return { json: { id: 'run_1', status: 'completed' } };
    });
    openaiFake.on('POST', '/v1/threads/thread_1/runs/run_1/submit_tool_outputs', () => ({ json: { id: 'run_1', status: 'queued' } }));
    openaiFake.on('GET', '/v1/threads/thread_1/messages', () => ({ json: { object: 'list', data: [{ id: 'msg_a1', role: 'assistant', content: [{ type: 'text', text: { value: 'Order 42 ships tomorrow.', annotations: [] } }] }] } }));
    openaiFake.on('POST', '/fn', (r) => ({ json: { order: r.body.arguments.order, status: 'ships tomorrow' } }));
    const creds = await c.api('POST', '/openai/creds/:i', { name: 'main', apiKey: 'sk-test-openai-0001' });
    expect(creds.status).toBe(201);
    expect(creds.body.apiKey).toBe('sk-****0001');
    credsId = creds.body.id;
  });

  it('credentials: listed masked, refused twice, models listed through them; a bot needs existing credentials', async () => {
    expect((await c.api('GET', '/openai/creds/:i')).body.map((x: any) => x.apiKey)).toEqual(['sk-****0001']);
    expect((await c.api('POST', '/openai/creds/:i', { name: 'main', apiKey: 'sk-other' })).status).toBe(400);
    const models = await c.api('GET', `/openai/getModels/:i?openaiCredsId=${credsId}`);
    expect(models.body.map((m: any) => m.id)).toEqual(['gpt-4o-mini']);
    const bad = await c.api('POST', '/openai/create/:i', { enabled: true, openaiCredsId: 'nope', botType: 'chatCompletion', triggerType: 'keyword', triggerOperator: 'equals', triggerValue: 'x' });
    expect(bad.body).toEqual({ status: 400, error: 'Bad Request', response: { message: ['Openai Creds not found'] } });
  });

  it('chat completions with the system messages and the chat history; Whisper turns a voice note into the question', async () => {
    await c.createBot('openai', { openaiCredsId: credsId, botType: 'chatCompletion', model: 'gpt-4o-mini', systemMessages: ['Be brief.'], triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'gpt' });
    const settings = await c.api('POST', '/openai/settings/:i', { openaiCredsId: credsId, speechToText: true, expire: 0, keywordFinish: '#stop', delayMessage: 0, unknownMessage: 'Sorry?', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 0, ignoreJids: [] });
    expect(settings.status).toBe(200);
    expect(settings.body.speechToText).toBe(true);
    const who = next();
    await c.say(who, 'gpt hello');
    expect(await c.waitSent(who, 1)).toEqual(['You said: gpt hello (2 messages)']);
    await c.send(who, { audioMessage: { url: `${files.url}/voice.ogg`, mimetype: 'audio/ogg; codecs=opus', ptt: true, seconds: 2 } });
    expect((await c.waitSent(who, 2))[1]).toBe('You said: what time do you open (4 messages)');
    const call = openaiFake.calls('/v1/chat/completions').at(-1)!;
    expect(call.body.messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
  });

  it('an assistant: a thread per session, a run polled, its function call answered by functionUrl', async () => {
    await c.createBot('openai', { openaiCredsId: credsId, botType: 'assistant', assistantId: 'asst_1', functionUrl: `${openaiFake.url}/fn`, triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'assistant' });
    const who = next();
    await c.say(who, 'assistant where is order 42');
    expect(await c.waitSent(who, 1, 10_000)).toEqual(['Order 42 ships tomorrow.']);
    expect(openaiFake.calls('/v1/threads/thread_1/runs')[0]!.headers['openai-beta']).toBe('assistants=v2');
    expect(openaiFake.calls('/v1/threads/thread_1/runs/run_1/submit_tool_outputs')[0]!.body.tool_outputs[0]).toEqual({ tool_call_id: 'call_1', output: JSON.stringify({ order: '42', status: 'ships tomorrow' }) });
    expect((await c.api('GET', '/openai/fetchSessions/any/:i')).body.find((s: any) => s.remoteJid === `${who}@s.whatsapp.net`).sessionId).toBe('thread_1');
  });
});

describe('Dify', () => {
  beforeAll(() => {
    const auth = (r: any) => r.headers.authorization === 'Bearer app-dify-key';
    difyFake.on('POST', '/v1/chat-messages', (r) => {
      if (!auth(r)) return { status: 401, json: { code: 'unauthorized', message: 'Access token is invalid', status: 401 } };
      if (r.body.response_mode === 'streaming') {
        return { sse: [{ event: 'agent_thought', conversation_id: 'conv-agent', thought: '' }, { event: 'agent_message', conversation_id: 'conv-agent', answer: 'Agent ' }, { event: 'agent_message', conversation_id: 'conv-agent', answer: `says: ${r.body.query}` }, { event: 'message_end', conversation_id: 'conv-agent', metadata: {} }] };
      }
      return { json: { event: 'message', message_id: 'm1', conversation_id: r.body.conversation_id || 'conv-chat', mode: 'chat', answer: `Dify chat: ${r.body.query} [${r.body.conversation_id || 'new'}]`, metadata: {}, created_at: 1 } };
    });
    difyFake.on('POST', '/v1/completion-messages', (r) => ({ json: { event: 'message', message_id: 'm2', mode: 'completion', answer: `Completion of ${r.body.inputs.query}`, created_at: 1 } }));
    difyFake.on('POST', '/v1/workflows/run', (r) => ({ json: { workflow_run_id: 'wr1', task_id: 't1', data: { id: 'wr1', workflow_id: 'wf', status: 'succeeded', outputs: { text: `Workflow ran for ${r.body.inputs.query}` }, error: null, elapsed_time: 0.1 } } }));
  });

  it('chatBot keeps the conversation id; agent streams; textGenerator and workflow answer once', async () => {
    for (const [botType, word] of [['chatBot', 'dchat'], ['agent', 'dagent'], ['textGenerator', 'dtext'], ['workflow', 'dflow']]) {
      await c.createBot('dify', { botType, apiUrl: `${difyFake.url}/v1`, apiKey: 'app-dify-key', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: word });
    }
    const chat = next();
    await c.say(chat, 'dchat one');
    await c.waitSent(chat, 1);
    await c.say(chat, 'two');
    expect(await c.waitSent(chat, 2)).toEqual(['Dify chat: dchat one [new]', 'Dify chat: two [conv-chat]']);
    const agent = next();
    await c.say(agent, 'dagent hi');
    expect(await c.waitSent(agent, 1)).toEqual(['Agent says: dagent hi']);
    const text = next();
    await c.say(text, 'dtext poem');
    expect(await c.waitSent(text, 1)).toEqual(['Completion of dtext poem']);
    const flow = next();
    await c.say(flow, 'dflow go');
    expect(await c.waitSent(flow, 1)).toEqual(['Workflow ran for dflow go']);
    expect(difyFake.calls('/v1/chat-messages')[0]!.body).toMatchObject({ user: `${chat}@s.whatsapp.net`, inputs: { remoteJid: `${chat}@s.whatsapp.net`, instanceName: 'providers' } });
  });
});

describe('Flowise, n8n and EvoAI', () => {
  beforeAll(() => {
    flowiseFake.on('POST', '/api/v1/prediction/flow-1', (r) => (r.headers.authorization === 'Bearer fl-key' ? { json: { text: `Flowise: ${r.body.question}`, question: r.body.question, chatId: 'c1', sessionId: r.body.overrideConfig.sessionId } } : { status: 401, json: { message: 'Unauthorized' } }));
    n8nFake.on('POST', '/webhook/support', (r) => (r.headers.authorization === `Basic ${Buffer.from('gw:n8n-secret').toString('base64')}` ? { json: [{ output: `n8n: ${r.body.chatInput} (${r.body.sessionId})` }] } : { status: 403, text: 'Authorization data is wrong!' }));
    evoaiFake.on('POST', '/api/v1/a2a/agent-1', (r) => {
      if (r.headers['x-api-key'] !== 'evo-key' || r.body.method !== 'message/send') return { status: 401, json: { jsonrpc: '2.0', id: r.body.id, error: { code: -32001, message: 'unauthorized' } } };
      const text = r.body.params.message.parts[0].text;
      return { json: { jsonrpc: '2.0', id: r.body.id, result: { id: 'task-1', contextId: r.body.params.contextId, kind: 'task', status: { state: 'completed' }, artifacts: [{ artifactId: 'a1', parts: [{ type: 'text', text: `EvoAI: ${text}` }] }] } } };
    });
  });

  it('each answers its turn with its own format and credentials', async () => {
    await c.createBot('flowise', { apiUrl: `${flowiseFake.url}/api/v1/prediction/flow-1`, apiKey: 'fl-key', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'flow' });
    const n8nBot = await c.createBot('n8n', { webhookUrl: `${n8nFake.url}/webhook/support`, basicAuthUser: 'gw', basicAuthPassword: 'n8n-secret', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'n8n' });
    expect(n8nBot.basicAuthPass).toBe('n8n****cret');
    await c.createBot('evoai', { agentUrl: `${evoaiFake.url}/api/v1/a2a/agent-1`, apiKey: 'evo-key', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'evo' });
    const a = next();
    const b = next();
    const e = next();
    await c.say(a, 'flow hello');
    await c.say(b, 'n8n hello');
    await c.say(e, 'evo hello');
    expect(await c.waitSent(a, 1)).toEqual(['Flowise: flow hello']);
    expect(await c.waitSent(b, 1)).toEqual([`n8n: n8n hello (${b}@s.whatsapp.net)`]);
    expect(await c.waitSent(e, 1)).toEqual(['EvoAI: evo hello']);
    expect(flowiseFake.calls('/api/v1/prediction/flow-1')[0]!.body.overrideConfig).toMatchObject({ sessionId: `${a}@s.whatsapp.net`, vars: { remoteJid: `${a}@s.whatsapp.net` } });
    // EvoAI's context id becomes the session's: the next turn continues it.
    await c.say(e, 'again');
    await c.waitSent(e, 2);
    const [first, second] = evoaiFake.calls('/api/v1/a2a/agent-1');
    expect(second!.body.params.contextId).toBe(first!.body.params.contextId);
  });
});

describe('the answer travels like any send', () => {
  it('reaches the other sandbox phone, and the webhook sees it as send.message', async () => {
    const peerToken = await connectedSandbox(c.server, 'providers-peer', '5511977771102');
    // The peer (another sandbox instance) writes "flow ..." to the bot's number: Flowise answers it.
    const sent = await c.server.call('POST', '/message/sendText/providers-peer', { number: '5511977771101', text: 'flow from the peer' }, peerToken);
    expect(sent.status).toBe(201);
    await waitFor(async () => {
      const got = await c.server.call('POST', '/chat/findMessages/providers-peer', { where: { key: { remoteJid: '5511977771101@s.whatsapp.net', fromMe: false } } }, peerToken);
      return got.body.messages.records.some((m: any) => m.message?.conversation === 'Flowise: flow from the peer');
    }, 8000, 'the peer to receive the bot answer');
    await waitFor(() => hook.received.some((r) => r.body?.event === 'send.message' && r.body.data?.message?.conversation === 'Flowise: flow from the peer'), 8000, 'send.message of the bot answer');
  });
});
