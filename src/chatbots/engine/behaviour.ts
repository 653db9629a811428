import { BEHAVIOUR_KEYS, DEFAULT_BEHAVIOUR, type Behaviour, type Bot, type BotSession, type KindSettings } from '../types.js';

/** The kind's settings of an instance, or the defaults when it has none (what fetchSettings answers then). */
export function settingsOrDefaults(stored: KindSettings | undefined): KindSettings {
  return stored ? { ...DEFAULT_BEHAVIOUR, ...stored } : { ...DEFAULT_BEHAVIOUR, fallbackId: null, extra: {} };
}

/** A bot's behaviour: its own fields where it has them, else its kind's settings. */
export function behaviourOf(bot: Bot, settings: KindSettings): Behaviour {
  const out = {} as Record<keyof Behaviour, unknown>;
  for (const k of BEHAVIOUR_KEYS) out[k] = bot.behaviour[k] ?? settings[k] ?? DEFAULT_BEHAVIOUR[k];
  return out as unknown as Behaviour;
}

/** A session that has been silent longer than `expire` minutes (0: never expires). */
export function isExpired(session: BotSession, b: Behaviour, now = Date.now()): boolean {
  return b.expire > 0 && now - Date.parse(session.updatedAt) > b.expire * 60_000;
}

/** The user said the bot's stop word (case and surrounding spaces ignored). */
export function isStopWord(text: string, b: Behaviour): boolean {
  return !!b.keywordFinish && text.trim().toLowerCase() === b.keywordFinish.trim().toLowerCase();
}
