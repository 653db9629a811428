/** The bot kinds, in the order the engine asks them about a message that opens no session yet (upstream's order). */
export const BOT_KINDS = ['evolutionBot', 'typebot', 'openai', 'dify', 'n8n', 'evoai', 'flowise'] as const;
export type BotKind = (typeof BOT_KINDS)[number];

export const TRIGGER_TYPES = ['all', 'keyword', 'none', 'advanced'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];
export const TRIGGER_OPERATORS = ['equals', 'contains', 'startsWith', 'endsWith', 'regex'] as const;
export type TriggerOperator = (typeof TRIGGER_OPERATORS)[number];
export const SESSION_STATUSES = ['opened', 'paused', 'closed'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** How a bot behaves in a chat: on the bot, or else from its kind's settings, or else the defaults. */
export interface Behaviour {
  /** Minutes of silence after which a session ends (0: never). */
  expire: number;
  /** The user's word that ends the session. */
  keywordFinish: string;
  /** Milliseconds of "typing" before each answer. */
  delayMessage: number;
  /** Answered when a message carries nothing the bot can take (a sticker, a location...). */
  unknownMessage: string;
  /** The bot also answers what the phone's owner writes. */
  listeningFromMe: boolean;
  /** The owner writing in a chat pauses its session (a human took over). */
  stopBotFromMe: boolean;
  /** A finished session stays, closed, so the bot does not start again in that chat. */
  keepOpen: boolean;
  /** Seconds to wait for more messages before handing them to the bot as one. */
  debounceTime: number;
  ignoreJids: string[];
  /** Answers are sent paragraph by paragraph (split on blank lines). */
  splitMessages: boolean;
  /** Milliseconds of typing per character of an answer part. */
  timePerChar: number;
}

export const BEHAVIOUR_KEYS = ['expire', 'keywordFinish', 'delayMessage', 'unknownMessage', 'listeningFromMe', 'stopBotFromMe', 'keepOpen', 'debounceTime', 'ignoreJids', 'splitMessages', 'timePerChar'] as const satisfies ReadonlyArray<keyof Behaviour>;

export const DEFAULT_BEHAVIOUR: Behaviour = {
  expire: 300,
  keywordFinish: 'bye',
  delayMessage: 1000,
  unknownMessage: 'Sorry, I dont understand',
  listeningFromMe: true,
  stopBotFromMe: true,
  keepOpen: false,
  debounceTime: 1,
  ignoreJids: [],
  splitMessages: false,
  timePerChar: 0,
};

export interface Bot {
  id: string;
  instanceId: string;
  kind: BotKind;
  enabled: boolean;
  description: string | null;
  triggerType: TriggerType;
  triggerOperator: TriggerOperator | null;
  triggerValue: string | null;
  behaviour: Partial<Behaviour>;
  /** The kind's own fields (url, apiUrl, botType...). */
  config: Record<string, unknown>;
  /** The kind's secret fields (apiKey...), opened. */
  secrets: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** The per-instance settings of one kind: default behaviour, the fallback bot, the kind's extras (OpenAI: credentials, speechToText). */
export interface KindSettings extends Behaviour {
  fallbackId: string | null;
  extra: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
  id?: string;
}

/** What the user said, waiting for its debounce; `text` is what the bot reads, `media` what came with it. */
export interface PendingInput {
  keyId: string;
  text: string;
  fromMe: boolean;
  pushName: string | null;
  messageType: string;
  media?: InputMedia;
  at: number;
}

export interface InputMedia {
  type: 'image' | 'audio' | 'video' | 'document' | 'sticker';
  mimetype?: string;
  /** A URL of the gateway's media store the bot platform can fetch (signed). */
  url?: string;
  /** The store key, to read the bytes (Whisper). */
  storageKey?: string;
  fileName?: string;
  caption?: string;
}

export interface BotSession {
  id: string;
  instanceId: string;
  botId: string;
  kind: BotKind;
  remoteJid: string;
  pushName: string | null;
  /** The platform's conversation id; the chat's JID until the platform gives one. */
  sessionId: string;
  status: SessionStatus;
  awaitUser: boolean;
  /** What the provider keeps between turns (Typebot's last input, OpenAI's history...). */
  context: Record<string, unknown> | null;
  parameters: Record<string, unknown> | null;
  pending: PendingInput[];
  /** When the pending input is handed to the bot (epoch ms); null when nothing waits. */
  dueAt: number | null;
  createdAt: string;
  updatedAt: string;
}

/** One message a bot answers with. Text may carry Markdown media links (`![caption](https://.../a.png)`), sent as media. */
export type Answer =
  | { type: 'text'; text: string }
  | { type: 'media'; mediatype: 'image' | 'video' | 'audio' | 'document'; url: string; caption?: string; fileName?: string }
  | { type: 'list'; title: string; description?: string; buttonText: string; footerText?: string; sections: Array<{ title: string; rows: Array<{ title: string; description?: string; rowId: string }> }> }
  | { type: 'buttons'; title?: string; description?: string; footer?: string; buttons: Array<{ id: string; displayText: string }> };
