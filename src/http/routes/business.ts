import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { ErrorResponse, errorResponses, InstanceParams, Loose, Obj } from '../schemas.js';
import { formatValidationErrors } from '../validation.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import { ApiError } from '../../domain/errors.js';
import { BusinessService } from '../../domain/business.js';
import { InstanceCache } from '../../domain/instanceCache.js';

const CatalogBody = Obj({ number: Type.Optional(Type.String({ description: "The business number; the instance's own when omitted" })), limit: Type.Optional(Type.Number({ description: 'Page size (catalog: default 10; collections: at most 20)' })) });
const MetaError = Obj({
  status: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  details: Obj({ whatsapp_error: Type.String(), whatsapp_code: Type.Union([Type.String(), Type.Integer()]), error_user_title: Type.String(), error_user_msg: Type.String(), error_type: Type.String(), error_subcode: Type.Union([Type.Integer(), Type.Null()]), fbtrace_id: Type.Union([Type.String(), Type.Null()]), context: Type.String(), type: Type.String() }),
  timestamp: Type.String(),
}, { description: "Upstream's Meta-style error body of /business routes" });

type P = { instanceName: string };
type Handler = (live: LiveInstance, body: Static<typeof CatalogBody>) => Promise<unknown>;

/** Upstream renders every failure of these routes after the guards (validation included) as a Meta Graph style 400; a body that is not JSON fails before, in the usual shape. */
function metaErrorBody(message: string, context: string) {
  return {
    status: 400,
    error: 'Bad Request',
    message,
    details: { whatsapp_error: message, whatsapp_code: 'UNKNOWN_ERROR', error_user_title: message, error_user_msg: message, error_type: 'UNKNOWN', error_subcode: null, fbtrace_id: null, context, type: 'whatsapp_api_error' },
    timestamp: new Date().toISOString(),
  };
}

const textOf = (m: unknown): string => (typeof m === 'string' ? m : Array.isArray(m) ? m.map(textOf).join('; ') : JSON.stringify(m));

export function businessRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const business = new BusinessService(gateway.instances, new InstanceCache(gateway.cache, gateway.config.cache.ttlSeconds));
  const route = (path: string, summary: string, context: string, handler: Handler) =>
    app.post<{ Params: P; Body: Static<typeof CatalogBody> }>(
      `/business/${path}/:instanceName`,
      { onRequest: guards.instance, attachValidation: true, schema: { tags: ['business'], summary, params: InstanceParams, body: withExamples(CatalogBody, { number: '5511999999999', limit: 10 }, {}), response: { 200: Loose(), 400: Type.Union([MetaError, ErrorResponse]), 401: errorResponses[401], 404: errorResponses[404] } } },
      async (request: FastifyRequest<{ Params: P; Body: Static<typeof CatalogBody> }>, reply: FastifyReply) => {
        if (request.validationError) return reply.status(400).send(metaErrorBody(textOf(formatValidationErrors(request.validationError.validation ?? [], request.validationError.validationContext)), context));
        try {
          return await handler(request.live as LiveInstance, request.body);
        } catch (e) {
          if (e instanceof ApiError && e.status < 500) return reply.status(400).send(metaErrorBody(textOf(e.response), context));
          throw e;
        }
      },
    );

  route('getCatalog', 'Products of a business number (the instance\'s own when no number): up to 5 x `limit`', 'business_catalog', (live, b) => business.catalog(live, b));
  route('getCollections', 'Catalog collections of a business number (at most 20)', 'business_collections', (live, b) => business.collections(live, b));
}
