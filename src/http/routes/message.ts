import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj, StoredMessageSchema } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';

const NumberField = Type.String({ minLength: 1, maxLength: 128, 'x-error': 'Invalid format' } as never);

const SendTextBody = Obj({
  number: NumberField,
  text: Type.String({ maxLength: 65536 }),
  delay: Type.Optional(Type.Integer({ minimum: 0, maximum: 300000, description: 'ms of "composing" before sending' })),
  quoted: Type.Optional(Obj({ key: Obj({ id: Type.String({ minLength: 1 }), remoteJid: Type.Optional(Type.String()), fromMe: Type.Optional(Type.Boolean()) }), message: Type.Optional(Type.Record(Type.String(), Type.Unknown())) })),
  linkPreview: Type.Optional(Type.Boolean()),
  mentionsEveryOne: Type.Optional(Type.Boolean()),
  mentioned: Type.Optional(Type.Array(Type.String())),
});

export function messageRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  app.post<{ Params: { instanceName: string }; Body: Static<typeof SendTextBody> }>(
    '/message/sendText/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['message'], summary: 'Send a text message', params: InstanceParams, body: SendTextBody, response: { 201: StoredMessageSchema, ...errorResponses } } },
    async (request, reply) => {
      const result = await gateway.messages.sendText(request.live as LiveInstance, request.body);
      reply.status(201);
      return result;
    },
  );
}
