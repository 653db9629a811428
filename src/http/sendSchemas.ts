import { Type } from 'typebox';
import { Obj } from './schemas.js';

/** A recipient: digits (with +, spaces, parens) or a full JID. */
export const NumberField = Type.String({ minLength: 1, maxLength: 128, 'x-error': 'Invalid format' } as never);

/** The fields every /message/send* body takes besides its content (upstream's Metadata). */
export const CommonSendFields = {
  delay: Type.Optional(Type.Integer({ minimum: 0, maximum: 300000, description: 'ms of "composing" before sending' })),
  quoted: Type.Optional(Obj({ key: Obj({ id: Type.String({ minLength: 1 }), remoteJid: Type.Optional(Type.String()), fromMe: Type.Optional(Type.Boolean()), participant: Type.Optional(Type.String()) }), message: Type.Optional(Type.Record(Type.String(), Type.Unknown())) })),
  linkPreview: Type.Optional(Type.Boolean()),
  mentionsEveryOne: Type.Optional(Type.Boolean()),
  mentioned: Type.Optional(Type.Array(Type.String())),
};

/** Common fields plus the recipient. */
export const RecipientFields = { number: NumberField, ...CommonSendFields };
