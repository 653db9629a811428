import { Type, type TSchema } from 'typebox';
import { CONFIGURABLE_EVENT_KEYS } from '../domain/events.js';

/** Upstream accepts extra properties everywhere; so do we. */
export const Obj = <P extends Record<string, TSchema>>(properties: P, options: Record<string, unknown> = {}) =>
  Type.Object(properties, { additionalProperties: true, ...options });

/**
 * A required non-empty string: only emptiness gets upstream's sentence `The "<name>" cannot be empty`; a wrong type
 * keeps the library's own words (the sentence sits on an inner schema, so only its minLength failure uses it).
 */
export const NotEmpty = (name: string, options: Record<string, unknown> = {}) =>
  Type.String({ allOf: [{ minLength: 1, 'x-error': `The "${name}" cannot be empty` }], ...options } as never);

/** As NotEmpty, but every failure (wrong type included) answers the sentence, as upstream's message schemas do. */
export const NotEmptyStrict = (name: string) => Type.String({ minLength: 1, 'x-error': `The "${name}" cannot be empty` } as never);

export const Loose = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

export const InstanceParams = Obj({ instanceName: Type.String({ description: 'Instance name' }) });

export const ErrorResponse = Obj(
  {
    status: Type.Integer(),
    error: Type.String(),
    response: Obj({ message: Type.Unknown() }),
  },
  { description: 'Upstream error shape' },
);

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  404: ErrorResponse,
};

export const EventList = Type.Array(Type.String({ enum: CONFIGURABLE_EVENT_KEYS }), { description: 'UPPER_SNAKE event names; empty = all' });

export const WebhookObject = Obj({
  enabled: Type.Optional(Type.Boolean()),
  url: Type.String({ minLength: 1 }),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  byEvents: Type.Optional(Type.Boolean()),
  base64: Type.Optional(Type.Boolean()),
  events: Type.Optional(EventList),
  secret: Type.Optional(Type.Union([Type.String({ minLength: 16, maxLength: 512, description: 'HMAC-SHA256 signing secret (Standard Webhooks and evox headers); null removes it' }), Type.Null()])),
});

export const SettingsFields = {
  rejectCall: Type.Boolean(),
  msgCall: Type.Optional(Type.String()),
  groupsIgnore: Type.Boolean(),
  alwaysOnline: Type.Boolean(),
  readMessages: Type.Boolean(),
  readStatus: Type.Boolean(),
  syncFullHistory: Type.Boolean(),
  wavoipToken: Type.Optional(Type.String()),
};

export const MessageKeySchema = Obj({
  id: Type.String({ minLength: 1 }),
  fromMe: Type.Boolean(),
  remoteJid: Type.String({ minLength: 1 }),
  participant: Type.Optional(Type.String()),
});

export const StoredMessageSchema = Obj({
  key: Obj({ remoteJid: Type.String(), fromMe: Type.Boolean(), id: Type.String() }),
  pushName: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.String(), Type.Null()]),
  message: Loose(),
  messageType: Type.String(),
  messageTimestamp: Type.Integer(),
  instanceId: Type.String(),
  source: Type.String(),
});

export const TimestampRange = Obj({
  gte: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
  lte: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
});

export const ConnectionStateResponse = Obj({ instance: Obj({ instanceName: Type.String(), state: Type.String() }) });

export const QrResponse = Obj({
  pairingCode: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  code: Type.Optional(Type.String()),
  base64: Type.Optional(Type.String()),
  count: Type.Integer(),
});
