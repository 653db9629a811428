import type { Config } from '../../config.js';
import type { ChatbotProvider } from '../provider.js';
import type { BotKind } from '../types.js';
import { evolutionBot } from './evolutionBot.js';
import { typebot } from './typebot.js';
import { openai } from './openai.js';
import { dify } from './dify.js';
import { n8n } from './n8n.js';
import { evoai } from './evoai.js';
import { flowise } from './flowise.js';

/** Every bot platform the engine knows, by kind. */
export const PROVIDERS: ChatbotProvider[] = [evolutionBot, typebot, openai, dify, n8n, evoai, flowise];

export const providerOf = (kind: BotKind): ChatbotProvider | undefined => PROVIDERS.find((p) => p.kind === kind);

/** The providers whose integration this configuration enables (evolutionBot always is). */
export function enabledProviders(config: Config): Map<BotKind, ChatbotProvider> {
  return new Map(PROVIDERS.filter((p) => p.enabled(config)).map((p) => [p.kind, p]));
}
