import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ChatbotEngine, type EngineDeps } from '../../src/chatbots/engine/engine.js';
import type { LiveInstance } from '../../src/domain/registry.js';

/** A database outage while the engine handles a message: the step waits and runs again, the message is not dropped. */
describe('chatbot engine and an unreachable database', () => {
  it('retries the step until the database answers', async () => {
    let lookups = 0;
    const opened: string[] = [];
    const deps = {
      logger: pino({ level: 'silent' }),
      providers: new Map([['evolutionBot', { kind: 'evolutionBot' }]]),
      catalog: {
        hasBots: async () => true,
        bots: async () => [{ id: 'b1', kind: 'evolutionBot', enabled: true, triggerType: 'all', triggerOperator: null, triggerValue: null, behaviour: { debounceTime: 60 }, config: {}, secrets: {} }],
        settings: async () => ({ expire: 0, keywordFinish: '', delayMessage: 0, unknownMessage: '', listeningFromMe: false, stopBotFromMe: false, keepOpen: false, debounceTime: 60, ignoreJids: [], splitMessages: false, timePerChar: 0, fallbackId: null, extra: {} }),
        bot: async () => undefined,
      },
      repos: {
        chatbots: {
          session: async () => {
            lookups += 1;
            if (lookups < 3) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
            return undefined;
          },
          openSession: async (s: { remoteJid: string }) => {
            opened.push(s.remoteJid);
            return { id: 's1', instanceId: 'i1', botId: 'b1', kind: 'evolutionBot', remoteJid: s.remoteJid, pending: [], dueAt: null, status: 'opened', updatedAt: new Date().toISOString() };
          },
          updateSession: async () => undefined,
        },
      },
    } as unknown as EngineDeps;
    const engine = new ChatbotEngine(deps);
    const live = { id: 'i1', name: 'x' } as LiveInstance;
    engine.committed(live, [{ origin: 'received', message: { id: 'r', key: { id: 'k', remoteJid: '5511@s.whatsapp.net', fromMe: false }, pushName: 'Ana', status: 'DELIVERY_ACK', message: { conversation: 'hi' }, contextInfo: null, messageType: 'conversation', messageTimestamp: 1, instanceId: 'i1', source: 'android' } }]);
    await engine.idle('i1', '5511@s.whatsapp.net');
    expect(lookups).toBe(3);
    expect(opened).toEqual(['5511@s.whatsapp.net']);
    await engine.close();
  });
});
