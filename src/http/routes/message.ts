import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj, StoredMessageSchema } from '../schemas.js';
import { RecipientFields } from '../sendSchemas.js';
import type { LiveInstance } from '../../domain/registry.js';

const SendTextBody = Obj({ ...RecipientFields, text: Type.String({ maxLength: 65536 }) });

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
