import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj } from '../schemas.js';
import { NumberField } from '../sendSchemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import { CallService } from '../../domain/calls.js';

const OfferBody = Obj({ number: NumberField, isVideo: Type.Optional(Type.Boolean()), callDuration: Type.Integer({ minimum: 1, maximum: 15, description: 'Seconds the call rings before hanging up' }) });

export function callRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const calls = new CallService(gateway.instances);
  app.post<{ Params: { instanceName: string }; Body: Static<typeof OfferBody> }>(
    '/call/offer/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['call'], summary: 'Rings a number for `callDuration` seconds (the callee gets a `call` event); answers the call id', params: InstanceParams, body: withExamples(OfferBody, { number: '5511999999999', isVideo: false, callDuration: 5 }), response: { 201: Obj({ id: Type.String(), jid: Type.String(), isVideo: Type.Boolean(), callDuration: Type.Integer() }), ...errorResponses } } },
    async (request, reply) => {
      const out = await calls.offer(request.live as LiveInstance, request.body);
      reply.status(201);
      return out;
    },
  );
}
