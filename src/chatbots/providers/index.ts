import type { Config } from '../../config.js';
import type { ChatbotProvider } from '../provider.js';
import type { BotKind } from '../types.js';
import { evolutionBot } from './evolutionBot.js';

/** Every bot platform the engine knows, by kind. */
export const PROVIDERS: ChatbotProvider[] = [evolutionBot];

export const providerOf = (kind: BotKind): ChatbotProvider | undefined => PROVIDERS.find((p) => p.kind === kind);

/** The providers whose integration this configuration enables (evolutionBot always is). */
export function enabledProviders(config: Config): Map<BotKind, ChatbotProvider> {
  return new Map(PROVIDERS.filter((p) => p.enabled(config)).map((p) => [p.kind, p]));
}
