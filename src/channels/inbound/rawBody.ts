import type { FastifyInstance } from 'fastify';

/** The largest platform webhook post taken (Meta batches stay far below). */
export const WEBHOOK_BODY_LIMIT = 5 * 1024 * 1024;

/**
 * Registers routes whose bodies arrive as the raw bytes (a Buffer), in a scope of their own: a signature is checked
 * over exactly what was sent, and only then is the body parsed. The app's body size limit still applies.
 */
export function rawBodyRoutes(app: FastifyInstance, register: (scope: FastifyInstance) => void): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    register(scope);
  });
}

/** The raw body as JSON, or undefined when it is not JSON. */
export function parseJson(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw) || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
