import { Type, type TSchema } from 'typebox';
import { Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import { TRIGGER_OPERATORS, TRIGGER_TYPES } from '../../chatbots/types.js';
import type { ChatbotProvider } from '../../chatbots/provider.js';

const Behaviour = {
  expire: Type.Integer({ minimum: 0, description: 'Minutes of silence after which the session ends (0: never)' }),
  keywordFinish: Type.String({ description: 'The word that ends the session' }),
  delayMessage: Type.Integer({ minimum: 0, description: 'Milliseconds of "typing" before each answer' }),
  unknownMessage: Type.String({ description: 'Answer to a message the bot cannot take (sticker, location...)' }),
  listeningFromMe: Type.Boolean({ description: "The bot also answers the owner's own messages" }),
  stopBotFromMe: Type.Boolean({ description: 'The owner writing in a chat pauses its session' }),
  keepOpen: Type.Boolean({ description: 'A finished session stays closed instead of being deleted' }),
  debounceTime: Type.Integer({ minimum: 0, description: 'Seconds to wait for more messages before the bot answers them as one' }),
  ignoreJids: Type.Array(Type.String(), { description: 'JIDs the bot ignores; "@g.us" = every group, "@s.whatsapp.net" = every contact' }),
  splitMessages: Type.Boolean({ description: 'Send answers paragraph by paragraph' }),
  timePerChar: Type.Integer({ minimum: 0, description: 'Extra milliseconds of typing per character' }),
};
type BehaviourKey = keyof typeof Behaviour;

const optional = (fields: Record<string, TSchema>) => Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, Type.Optional(s)]));

const COMMON_EXAMPLE = { enabled: true, description: 'Support bot', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'help', expire: 20, keywordFinish: '#exit', delayMessage: 1000, unknownMessage: 'Sorry, I only read text.', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 3, ignoreJids: [], splitMessages: true, timePerChar: 30 };
const SETTINGS_EXAMPLE = { expire: 20, keywordFinish: '#exit', delayMessage: 1000, unknownMessage: 'Sorry, I only read text.', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 3, ignoreJids: ['@g.us'], splitMessages: false, timePerChar: 0, fallbackId: '' };

/** The body of create and update: the common bot fields and the kind's own; `example` fills the kind's fields. */
export function botBody(p: ChatbotProvider, example: Record<string, unknown>) {
  const schema = Obj(
    {
      enabled: Type.Boolean(),
      description: Type.Optional(Type.String()),
      triggerType: Type.String({ enum: [...TRIGGER_TYPES] }),
      triggerOperator: Type.Optional(Type.String({ enum: [...TRIGGER_OPERATORS] })),
      triggerValue: Type.Optional(Type.String()),
      ...optional(Behaviour),
      ...p.fields,
    },
    { description: `A ${p.label} bot` },
  );
  return withExamples(schema, { ...COMMON_EXAMPLE, ...example });
}

/** The kind's settings body: behaviour required (splitMessages and timePerChar only where upstream requires them). */
export function settingsBody(p: ChatbotProvider, example: Record<string, unknown>) {
  const fields: Record<string, TSchema> = { ...Behaviour };
  if (!p.settingsRequireSplit) for (const k of ['splitMessages', 'timePerChar'] as BehaviourKey[]) fields[k] = Type.Optional(Behaviour[k]);
  return withExamples(Obj({ ...fields, fallbackId: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'The bot that takes messages no trigger matched' })), ...(p.settingsFields ?? {}) }), { ...SETTINGS_EXAMPLE, ...example });
}

export const ChangeStatusBody = withExamples(Obj({ remoteJid: Type.String({ minLength: 1 }), status: Type.String({ enum: ['opened', 'closed', 'paused', 'delete'] }) }), { remoteJid: '5511999999999@s.whatsapp.net', status: 'paused' });
export const IgnoreJidBody = withExamples(Obj({ remoteJid: Type.String({ minLength: 1 }), action: Type.String({ enum: ['add', 'remove'] }) }), { remoteJid: '5511999999999@s.whatsapp.net', action: 'add' });

export const BotRow = Obj({ id: Type.String(), enabled: Type.Boolean(), triggerType: Type.String(), instanceId: Type.String() }, { description: 'The bot as stored (secrets masked)' });
export const SessionRow = Obj({ id: Type.String(), sessionId: Type.String(), remoteJid: Type.String(), status: Type.String(), type: Type.String(), botId: Type.String() });
export const SettingsRow = Obj({ ...optional(Behaviour), fallbackId: Type.Optional(Type.Union([Type.String(), Type.Null()])) });

export const BOT_ROW_EXAMPLE = { id: 'clyja4oys0a3uqpy7k3bd7swe', enabled: true, description: 'Support bot', triggerType: 'keyword', triggerOperator: 'startsWith', triggerValue: 'help', expire: 20, keywordFinish: '#exit', delayMessage: 1000, unknownMessage: 'Sorry, I only read text.', listeningFromMe: false, stopBotFromMe: true, keepOpen: false, debounceTime: 3, ignoreJids: [], splitMessages: true, timePerChar: 30, createdAt: '2025-10-21T08:40:39.123Z', updatedAt: '2025-10-21T08:40:39.123Z', instanceId: '2d6f0c1e-7c1b-4a51-9b1e-3f2b0a8c9d10' };
export const SESSION_EXAMPLE = { id: 'clyja9x2k0a4uqpy7f1c2d3e4', sessionId: '5511999999999@s.whatsapp.net', remoteJid: '5511999999999@s.whatsapp.net', pushName: 'Maria', status: 'opened', awaitUser: true, context: null, type: 'evolutionBot', parameters: null, botId: 'clyja4oys0a3uqpy7k3bd7swe', instanceId: '2d6f0c1e-7c1b-4a51-9b1e-3f2b0a8c9d10', createdAt: '2025-10-21T08:40:39.123Z', updatedAt: '2025-10-21T08:41:02.000Z' };
