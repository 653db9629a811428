import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError, statusText } from '../domain/errors.js';
import { formatValidationErrors } from './validation.js';
import { reportError } from '../observability/errorReporting.js';
import { isDatabaseUnreachable } from '../storage/db.js';
import { GraphError } from '../channels/operations/templates.js';
import { metaErrorBody } from './metaErrors.js';

export interface ErrorBody {
  status: number;
  error: string;
  response: { message: unknown };
}

export function errorBody(status: number, message: unknown): ErrorBody {
  return { status, error: statusText(status), response: { message } };
}

const FRAMEWORK_ERRORS: Record<string, { status: number; message: (e: FastifyError) => unknown }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: () => ['Request body is too large'] },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: (e) => [e.message] },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: (e) => [e.message] },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: () => ['Body cannot be empty when content-type is set to application/json'] },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: () => ['Body is not valid JSON'] },
};

/** Every error leaves in the upstream shape: {status, error, response: {message}}. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof ApiError) return reply.status(err.status).headers(err.headers).send(errorBody(err.status, err.response));
    // A business platform (Meta's Graph API) refused a send or a call: upstream's Meta-style 400.
    // (Routes declare the upstream error shape for 400; this body is the other upstream shape, so it skips that serializer.)
    if (err instanceof GraphError) return reply.status(400).type('application/json').serializer(JSON.stringify).send(metaErrorBody(err.body, 'whatsapp_business'));
    if (err.validation) return reply.status(400).send(errorBody(400, formatValidationErrors(err.validation, err.validationContext)));
    const known = err.code ? FRAMEWORK_ERRORS[err.code] : undefined;
    if (known) return reply.status(known.status).send(errorBody(known.status, known.message(err)));
    if (err instanceof SyntaxError || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)) {
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      return reply.status(status).send(errorBody(status, [err.message]));
    }
    if (isDatabaseUnreachable(err)) {
      request.log.warn({ err: err.message }, 'database unreachable');
      return reply.status(503).header('retry-after', '1').send(errorBody(503, ['The database is unreachable. Try again shortly.']));
    }
    request.log.error({ err }, 'unhandled error');
    reportError(err, { instance: (request.params as { instanceName?: string } | undefined)?.instanceName, correlationId: request.id, route: request.routeOptions.url });
    return reply.status(500).send(errorBody(500, 'Internal Server Error'));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(404, [`Cannot ${request.method} ${request.url}`]));
  });
}
