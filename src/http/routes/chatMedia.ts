import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { MediaQueries } from '../../domain/mediaQueries.js';

const Base64Body = Obj({
  message: Obj({ key: Obj({ id: Type.String({ minLength: 1 }) }), message: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }, { description: '{key:{id}} of a stored message, or a full WebMessageInfo' }),
  convertToMp4: Type.Optional(Type.Boolean({ description: 'Audio only: answer with MP4 (AAC) instead of the original' })),
});

const Base64Response = Obj({
  mediaType: Type.String(),
  fileName: Type.String(),
  caption: Type.Optional(Type.String()),
  size: Obj({ fileLength: Type.Optional(Type.Unknown()), height: Type.Optional(Type.Unknown()), width: Type.Optional(Type.Unknown()) }),
  mimetype: Type.String(),
  base64: Type.String(),
  buffer: Type.Null(),
});

export function chatMediaRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const queries = new MediaQueries(gateway);
  app.post<{ Params: { instanceName: string }; Body: Static<typeof Base64Body> }>(
    '/chat/getBase64FromMediaMessage/:instanceName',
    {
      onRequest: guards.instance,
      schema: { tags: ['chat'], summary: 'The media of a message as base64', params: InstanceParams, body: { ...Base64Body, examples: [{ message: { key: { id: '3EB0A1B2C3D4E5F60718' } }, convertToMp4: false }] }, response: { 201: Base64Response, ...errorResponses } },
    },
    async (request, reply) => {
      const result = await queries.base64Of(request.live as LiveInstance, request.body.message, request.body.convertToMp4 ?? false);
      reply.status(201);
      return result;
    },
  );
}
