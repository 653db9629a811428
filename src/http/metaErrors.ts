import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { formatValidationErrors } from './validation.js';
import { GraphError, type GraphErrorBody } from '../channels/operations/templates.js';

/** Upstream's 400 for a refused business-platform call (templates, catalog): the Graph error spelled out. */
export interface MetaErrorBody {
  status: 400;
  error: 'Bad Request';
  message: string;
  details: {
    whatsapp_error: string;
    whatsapp_code: number | string;
    error_user_title: string;
    error_user_msg: string;
    error_type: string;
    error_subcode: number | null;
    fbtrace_id: string | null;
    context: string;
    type: 'whatsapp_api_error';
  };
  timestamp: string;
}

/** The Meta-style body of a Graph error; `context` names the operation (template_creation, business_catalog, ...). */
export function metaErrorBody(e: GraphErrorBody, context: string): MetaErrorBody {
  const title = e.error_user_title || e.message || 'Unknown error';
  const detail = e.error_user_msg || e.message || 'Unknown error';
  return {
    status: 400,
    error: 'Bad Request',
    message: title,
    details: { whatsapp_error: detail, whatsapp_code: e.code || 'UNKNOWN_ERROR', error_user_title: title, error_user_msg: detail, error_type: e.type || 'UNKNOWN', error_subcode: e.error_subcode ?? null, fbtrace_id: e.fbtrace_id || null, context, type: 'whatsapp_api_error' },
    timestamp: new Date().toISOString(),
  };
}

/** Runs a route body; a GraphError becomes upstream's Meta-style 400, anything else goes on to the error handler. */
export async function withMetaErrors<T>(reply: FastifyReply, context: string, fn: () => Promise<T>): Promise<T | MetaErrorBody> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    reply.status(400);
    return metaErrorBody(e.body, context);
  }
}

/** A body that failed validation on a route upstream renders Meta-style: the messages joined, no Graph code. */
export function metaValidationBody(messages: string[], context: string): MetaErrorBody {
  return metaErrorBody({ message: messages.join('; '), type: 'UNKNOWN', code: 0, fbtrace_id: '' }, context);
}

/**
 * A route error handler for routes whose every failure after the guards upstream renders Meta-style: validation
 * failures become the Meta-style 400; anything else goes on to the app's handler.
 */
export function metaValidationErrors(context: string) {
  return (err: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
    if (!err.validation) throw err;
    return reply.status(400).send(metaValidationBody(formatValidationErrors(err.validation, err.validationContext), context));
  };
}
