import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Repositories } from '../storage/repositories.js';
import type { InstanceRegistry } from '../domain/registry.js';
import type { EventBus } from '../events/bus.js';
import type { MediaService } from '../media/service.js';
import type { MessageService } from '../domain/messages.js';
import type { InstanceService } from '../domain/instances.js';
import { MediaMessageService } from '../domain/mediaMessages.js';
import { ChatbotEngine } from './engine/engine.js';
import { BotCatalog } from './engine/catalog.js';
import { AnswerSender } from './engine/answers.js';
import { BotHttp } from './providers/http.js';
import { enabledProviders } from './providers/index.js';
import { ChatbotService } from './service.js';
import type { ProviderLookup } from './provider.js';
import { TypebotStarter } from './typebotStart.js';
import { OpenaiCredentials } from './openaiCreds.js';

export interface ChatbotDeps {
  config: Config;
  repos: Repositories;
  registry: InstanceRegistry;
  bus: EventBus;
  media: MediaService;
  messages: MessageService;
  instances: InstanceService;
  logger: Logger;
}

/** The chatbot engine, hooked into the inbound path, and the service its routes use. */
export class Chatbots {
  readonly engine: ChatbotEngine;
  readonly service: ChatbotService;
  readonly http: BotHttp;
  readonly typebotStart: TypebotStarter;
  readonly openaiCreds: OpenaiCredentials;
  private readonly unhook: () => void;

  constructor(deps: ChatbotDeps) {
    const { config, repos, logger } = deps;
    const providers = enabledProviders(config);
    const catalog = new BotCatalog(repos.chatbots);
    const lookup: ProviderLookup = { openaiKey: async (instanceId, credsId) => (await repos.openaiCreds.find(instanceId, credsId))?.apiKey ?? config.chatbots.openaiGlobalKey, openaiApiUrl: config.chatbots.openaiApiUrl };
    this.http = new BotHttp({ allowPrivate: config.media.allowPrivateUrls, timeoutMs: config.chatbots.timeoutMs });
    const sender = new AnswerSender(deps.messages, new MediaMessageService(deps), logger.child({ component: 'chatbots' }));
    this.engine = new ChatbotEngine({ repos, registry: deps.registry, bus: deps.bus, media: deps.media, catalog, sender, http: this.http, lookup, logger: logger.child({ component: 'chatbots' }), providers, ...(config.server.url ? { serverUrl: config.server.url } : {}) });
    this.service = new ChatbotService(repos, catalog, this.engine, lookup, { allowPrivate: config.media.allowPrivateUrls }, new Set(providers.keys()));
    this.typebotStart = new TypebotStarter(repos, catalog, this.engine, this.service, this.http, { allowPrivate: config.media.allowPrivateUrls });
    this.openaiCreds = new OpenaiCredentials(repos, this.service, this.http, { url: config.chatbots.openaiApiUrl, ...(config.chatbots.openaiGlobalKey ? { globalKey: config.chatbots.openaiGlobalKey } : {}) });
    this.unhook = deps.messages.hooks.add(this.engine);
  }

  start(): Promise<void> {
    return this.engine.start();
  }

  async close(): Promise<void> {
    this.unhook();
    await this.engine.close();
    await this.http.close();
  }
}
