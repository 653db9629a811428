import type { Repositories } from '../storage/repositories.js';
import type { LiveInstance } from '../domain/registry.js';
import { badRequest } from '../domain/errors.js';
import { toJid } from '../domain/jid.js';
import { assertTenantUrl } from '../security/addressGuard.js';
import type { ChatbotEngine } from './engine/engine.js';
import type { BotCatalog } from './engine/catalog.js';
import type { ChatbotService } from './service.js';
import type { BotHttp } from './providers/http.js';
import type { Reply } from './provider.js';
import { startTypebot, typebot, typebotVariables } from './providers/typebot.js';
import { behaviourOf } from './engine/behaviour.js';
import type { BotSession } from './types.js';

export interface StartInput {
  remoteJid: string;
  url: string;
  typebot: string;
  startSession?: boolean;
  variables?: Array<{ name?: string; value?: unknown }>;
}

/**
 * `/typebot/start`: starts a flow in a chat without waiting for a trigger. The flow runs as the instance's Typebot
 * bot with that URL and public id (made, start-only, when there is none), in a session like any other.
 */
export class TypebotStarter {
  constructor(
    private readonly repos: Repositories,
    private readonly catalog: BotCatalog,
    private readonly engine: ChatbotEngine,
    private readonly service: ChatbotService,
    private readonly http: BotHttp,
    private readonly guard: { allowPrivate: boolean },
  ) {}

  async start(live: LiveInstance, input: StartInput): Promise<Record<string, unknown>> {
    this.service.assertEnabled(typebot);
    const remoteJid = toJid(input.remoteJid);
    await assertTenantUrl(input.url, this.guard, 'url');
    const bots = await this.repos.chatbots.bots(live.id, 'typebot');
    let bot = bots.find((b) => b.config.url === input.url && b.config.typebot === input.typebot);
    if (!bot) {
      bot = await this.repos.chatbots.createBot(live.id, 'typebot', { enabled: true, description: 'Started by /typebot/start', triggerType: 'none', triggerOperator: null, triggerValue: null, behaviour: {}, config: { url: input.url, typebot: input.typebot, startOnly: true }, secrets: {} });
      this.catalog.invalidate(live.id);
    }
    const variables = Object.fromEntries((input.variables ?? []).filter((v) => typeof v?.name === 'string').map((v) => [v.name!, v.value]));
    const b = behaviourOf(bot, await this.catalog.settings(live.id, 'typebot'));
    let opened: { session: BotSession; reply: Reply } | undefined;
    let refused = false;
    await this.engine.inOrder(live.id, remoteJid, async () => {
      const existing = await this.repos.chatbots.session(live.id, remoteJid);
      if (existing && !input.startSession) {
        refused = true;
        return;
      }
      if (existing) await this.engine.finish(live, existing, false);
      const prefilledVariables = { ...typebotVariables({ session: { remoteJid, pushName: null } as BotSession, instance: { id: live.id, name: live.name, token: live.instance.token } }), ...variables };
      const reply = await startTypebot(this.http, { url: input.url, typebot: input.typebot, prefilledVariables });
      const session = await this.repos.chatbots.openSession({ instanceId: live.id, botId: bot.id, kind: 'typebot', remoteJid, pushName: null, status: 'opened', ...(reply.sessionId ? { sessionId: reply.sessionId } : {}) });
      opened = { session, reply };
    });
    if (refused) throw badRequest(`A session is already open in ${remoteJid}; send startSession: true to restart it`);
    if (!opened) throw badRequest('Typebot could not be started');
    const { session, reply } = opened as { session: BotSession; reply: Reply };
    await this.engine.startTurn(live, session, b, reply);
    await this.engine.announce(live, 'typebot.start', { remoteJid, url: input.url, typebot: input.typebot, variables, sessionId: reply.sessionId ?? session.sessionId }, remoteJid);
    return { typebot: { instanceName: live.name, typebot: { url: input.url, remoteJid, typebot: input.typebot, prefilledVariables: variables, sessionId: reply.sessionId ?? null } } };
  }
}
