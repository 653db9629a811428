import type { ChatbotRepository } from '../../storage/chatbotRepository.js';
import { BOT_KINDS, type Bot, type BotKind, type KindSettings } from '../types.js';
import { settingsOrDefaults } from './behaviour.js';

interface Entry {
  bots: Bot[];
  settings: Map<BotKind, KindSettings>;
}

/**
 * Each instance's bots and kind settings, read once and kept until the chatbot routes change them, so an inbound
 * message costs no bot queries. (One process serves an instance; its routes are the only writers.)
 */
export class BotCatalog {
  private readonly entries = new Map<string, Promise<Entry>>();

  constructor(private readonly repo: ChatbotRepository) {}

  private entry(instanceId: string): Promise<Entry> {
    let e = this.entries.get(instanceId);
    if (!e) {
      e = this.load(instanceId);
      this.entries.set(instanceId, e);
      e.catch(() => this.entries.delete(instanceId));
    }
    return e;
  }

  private async load(instanceId: string): Promise<Entry> {
    const bots = await this.repo.bots(instanceId);
    const settings = new Map<BotKind, KindSettings>();
    for (const kind of BOT_KINDS) settings.set(kind, settingsOrDefaults(await this.repo.settings(instanceId, kind)));
    return { bots, settings };
  }

  /** Whether the instance has any bot: without one there is no session either, and a message costs no query. */
  async hasBots(instanceId: string): Promise<boolean> {
    return (await this.entry(instanceId)).bots.length > 0;
  }

  async bots(instanceId: string, kind: BotKind): Promise<Bot[]> {
    return (await this.entry(instanceId)).bots.filter((b) => b.kind === kind);
  }

  async bot(instanceId: string, id: string): Promise<Bot | undefined> {
    return (await this.entry(instanceId)).bots.find((b) => b.id === id);
  }

  async settings(instanceId: string, kind: BotKind): Promise<KindSettings> {
    return (await this.entry(instanceId)).settings.get(kind)!;
  }

  invalidate(instanceId: string): void {
    this.entries.delete(instanceId);
  }
}
