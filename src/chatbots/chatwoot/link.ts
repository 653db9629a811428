import type { Dispatcher } from 'undici';
import type { GuardOptions } from '../../security/addressGuard.js';
import { ChatwootClient, ChatwootError } from './client.js';
import type { ChatwootConfigRepository } from './configRepository.js';
import { Conversations } from './conversations.js';
import type { ChatwootConfig } from './settings.js';

/** What delivering to one instance's Chatwoot needs. */
export interface LinkContext {
  config: ChatwootConfig;
  client: ChatwootClient;
  inboxId: number;
  conversations: Conversations;
}

/**
 * The instances' Chatwoot configurations in memory (the commit path reads them without a query), their API clients,
 * their inboxes and the contact/conversation lookups.
 */
export class ChatwootLink {
  private readonly configs = new Map<string, ChatwootConfig>();
  readonly conversations = new Conversations();
  /** Posts to Chatwoot in progress, by conversation: their webhooks wait until the post is linked. */
  private readonly posting = new Map<string, Promise<void>>();

  constructor(private readonly repo: ChatwootConfigRepository, private readonly dispatcher: Dispatcher, private readonly guard: GuardOptions) {}

  async load(clientName: string): Promise<void> {
    for (const c of await this.repo.findForClient(clientName)) this.configs.set(c.instanceId, c);
  }

  get(instanceId: string): ChatwootConfig | undefined {
    return this.configs.get(instanceId);
  }

  put(config: ChatwootConfig): void {
    this.configs.set(config.instanceId, config);
    this.conversations.forgetInstance(config.instanceId);
  }

  forget(instanceId: string): void {
    this.configs.delete(instanceId);
    this.conversations.forgetInstance(instanceId);
  }

  /** Marks a post in progress in a conversation; call the result once its link is stored (or the post failed). */
  beginPost(instanceId: string, conversationId: number): () => void {
    const key = `${instanceId}|${conversationId}`;
    let end!: () => void;
    const done = new Promise<void>((r) => (end = r));
    const before = this.posting.get(key) ?? Promise.resolve();
    const mine = before.then(() => done);
    this.posting.set(key, mine);
    return () => {
      end();
      if (this.posting.get(key) === mine) this.posting.delete(key);
    };
  }

  /** Resolves once the posts in progress in a conversation are linked (Chatwoot may post their webhook before it answers). */
  async postsSettled(instanceId: string, conversationId: number, timeoutMs = 30_000): Promise<void> {
    const pending = this.posting.get(`${instanceId}|${conversationId}`);
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  enabledInstanceIds(): string[] {
    return [...this.configs.values()].filter((c) => c.enabled).map((c) => c.instanceId);
  }

  clientOf(config: Pick<ChatwootConfig, 'url' | 'accountId' | 'token'>): ChatwootClient {
    return new ChatwootClient(config.url, config.accountId, config.token, this.dispatcher, this.guard);
  }

  async contextFor(instanceId: string): Promise<LinkContext | undefined> {
    const config = this.configs.get(instanceId);
    if (!config?.enabled) return undefined;
    const client = this.clientOf(config);
    return { config, client, inboxId: await this.inbox(config, client), conversations: this.conversations };
  }

  /**
   * The instance's inbox: the one stored, else the account's inbox named `nameInbox` (set creates it with `autoCreate`).
   */
  async inbox(config: ChatwootConfig, client = this.clientOf(config)): Promise<number> {
    if (config.inboxId) return Number(config.inboxId);
    const id = await findOrCreateInbox(client, config);
    config.inboxId = String(id);
    await this.repo.setInbox(config.instanceId, config.inboxId);
    return id;
  }
}

export async function findOrCreateInbox(client: ChatwootClient, s: Pick<ChatwootConfig, 'nameInbox' | 'autoCreate'>, webhookUrl?: string): Promise<number> {
  const found = (await client.inboxes()).find((i) => i.name === s.nameInbox);
  const inbox = found ?? (s.autoCreate && webhookUrl ? await client.createInbox(s.nameInbox, webhookUrl) : undefined);
  if (!inbox) throw new ChatwootError(404, `Chatwoot has no inbox named "${s.nameInbox}"`);
  return inbox.id;
}
