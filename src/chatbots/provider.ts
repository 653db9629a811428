import type { TSchema } from 'typebox';
import type { Answer, Behaviour, Bot, BotKind, BotSession, KindSettings, PendingInput } from './types.js';
import type { BotHttp } from './providers/http.js';
import type { Config } from '../config.js';

/** One turn of a conversation, as a provider sees it: the user said `input` in `session` to `bot`. */
export interface Turn {
  bot: Bot;
  session: BotSession;
  input: PendingInput;
  behaviour: Behaviour;
  settings: KindSettings;
  instance: { id: string; name: string; token: string; serverUrl?: string };
  http: BotHttp;
  /** The bytes of the input's media, read from the gateway's store (speech to text). */
  mediaBytes(): Promise<Buffer | undefined>;
  /** Looks up what the kind keeps beside its bots (OpenAI: credentials by id). */
  lookup: ProviderLookup;
}

export interface ProviderLookup {
  openaiKey(instanceId: string, credsId: string): Promise<string | undefined>;
  /** The OpenAI API base (OPENAI_API_URL). */
  openaiApiUrl: string;
}

/** What the bot answered, and what the session keeps for the next turn. */
export interface Reply {
  answers: Answer[];
  /** The platform's conversation id, when it gives one. */
  sessionId?: string;
  context?: Record<string, unknown> | null;
  /** The bot ended the conversation (Typebot's flow reached its end): the session closes. */
  end?: boolean;
}

/**
 * A bot platform behind the engine: its route family's own fields, and one function that turns "the user said X in
 * session S" into "the bot answers Y". Everything else (triggers, sessions, debounce, sending) is the engine's.
 */
export interface ChatbotProvider {
  kind: BotKind;
  /** As upstream names it in its errors: "Typebot is disabled", "Typebot not found". */
  label: string;
  /** The bot id's path parameter: `/typebot/fetch/:typebotId/:instanceName`. */
  idParam: string;
  /** The kind's own body fields (create and update), with their schemas. */
  fields: Record<string, TSchema>;
  /** Body fields kept sealed, and the name each has in answers (n8n: basicAuthPassword is answered as basicAuthPass). */
  secretFields: Record<string, string>;
  /** Other body fields answered under another name. */
  renamed?: Record<string, string>;
  /** Extra fields of the kind's settings (OpenAI: openaiCredsId, speechToText). */
  settingsFields?: Record<string, TSchema>;
  /** Whether splitMessages/timePerChar are required in its settings body (upstream differs per kind). */
  settingsRequireSplit: boolean;
  enabled(config: Config): boolean;
  /** Business checks on a bot's config before it is stored (e.g. its credentials exist); throws the client's error. */
  check?(instanceId: string, config: Record<string, unknown>, lookup: ProviderLookup): Promise<void>;
  converse(turn: Turn): Promise<Reply>;
}
