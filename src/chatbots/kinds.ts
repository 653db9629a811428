import type { Config } from '../config.js';
import type { ChatbotProvider } from './provider.js';
import type { BotKind } from './types.js';

type Identity = Pick<ChatbotProvider, 'label' | 'idParam' | 'settingsRequireSplit' | 'enabled'>;

/**
 * What upstream fixes per kind: the name in its messages, the bot id's path parameter, whether its settings body
 * requires splitMessages/timePerChar, and the environment flag that enables it (Evolution Bot is always on).
 */
const KINDS: Record<BotKind, Identity> = {
  evolutionBot: { label: 'EvolutionBot', idParam: 'evolutionBotId', settingsRequireSplit: true, enabled: () => true },
  typebot: { label: 'Typebot', idParam: 'typebotId', settingsRequireSplit: false, enabled: (c: Config) => c.chatbots.typebot },
  openai: { label: 'Openai', idParam: 'openaiBotId', settingsRequireSplit: false, enabled: (c: Config) => c.chatbots.openai },
  dify: { label: 'Dify', idParam: 'difyId', settingsRequireSplit: true, enabled: (c: Config) => c.chatbots.dify },
  n8n: { label: 'N8n', idParam: 'n8nId', settingsRequireSplit: true, enabled: (c: Config) => c.chatbots.n8n },
  evoai: { label: 'Evoai', idParam: 'evoaiId', settingsRequireSplit: true, enabled: (c: Config) => c.chatbots.evoai },
  flowise: { label: 'Flowise', idParam: 'flowiseId', settingsRequireSplit: false, enabled: (c: Config) => c.chatbots.flowise },
};

/** A provider of a kind: its own fields and conversation, with the kind's identity. */
export function defineProvider(kind: BotKind, own: Omit<ChatbotProvider, 'kind' | keyof Identity>): ChatbotProvider {
  return { kind, ...KINDS[kind], ...own };
}
