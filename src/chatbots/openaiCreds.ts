import type { Repositories } from '../storage/repositories.js';
import type { OpenaiCreds } from '../storage/openaiCredsRepository.js';
import type { LiveInstance } from '../domain/registry.js';
import { badRequest, notFound } from '../domain/errors.js';
import type { ChatbotService } from './service.js';
import { maskSecret } from './service.js';
import type { BotHttp } from './providers/http.js';
import { BotHttpError } from './providers/http.js';
import { listModels, openai } from './providers/openai.js';

/** The instance's OpenAI credentials (sealed at rest, masked in answers) and the models they reach. */
export class OpenaiCredentials {
  constructor(
    private readonly repos: Repositories,
    private readonly service: ChatbotService,
    private readonly http: BotHttp,
    private readonly api: { url: string; globalKey?: string },
  ) {}

  private view(c: OpenaiCreds): Record<string, unknown> {
    return { id: c.id, name: c.name, apiKey: maskSecret(c.apiKey), createdAt: c.createdAt, updatedAt: c.updatedAt, instanceId: c.instanceId };
  }

  async create(live: LiveInstance, name: string, apiKey: string): Promise<Record<string, unknown>> {
    this.service.assertEnabled(openai);
    const created = await this.repos.openaiCreds.create(live.id, name, apiKey);
    if (!created) throw badRequest('Credentials already exists');
    return this.view(created);
  }

  async list(live: LiveInstance): Promise<Array<Record<string, unknown>>> {
    this.service.assertEnabled(openai);
    return (await this.repos.openaiCreds.list(live.id)).map((c) => this.view(c));
  }

  async remove(live: LiveInstance, id: string): Promise<{ openaiCreds: { id: string } }> {
    this.service.assertEnabled(openai);
    if (!(await this.repos.openaiCreds.find(live.id, id))) throw notFound('Openai Creds not found');
    const bots = await this.repos.chatbots.bots(live.id, 'openai');
    if (bots.some((b) => b.config.openaiCredsId === id)) throw badRequest('Credentials are being used by a bot; delete or change the bot first');
    await this.repos.openaiCreds.delete(live.id, id);
    return { openaiCreds: { id } };
  }

  /** The models the credentials reach (the given ones, else the instance's first, else OPENAI_API_KEY_GLOBAL). */
  async models(live: LiveInstance, credsId?: string): Promise<unknown[]> {
    this.service.assertEnabled(openai);
    const creds = credsId ? await this.repos.openaiCreds.find(live.id, credsId) : (await this.repos.openaiCreds.list(live.id))[0];
    if (credsId && !creds) throw notFound('Openai Creds not found');
    const key = creds?.apiKey ?? this.api.globalKey;
    if (!key) throw badRequest('Openai Creds not found');
    try {
      return await listModels(this.http, this.api.url, key);
    } catch (err) {
      throw badRequest(err instanceof BotHttpError ? `OpenAI answered ${err.status}` : `OpenAI could not be reached: ${(err as Error).message}`);
    }
  }
}
