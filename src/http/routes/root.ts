import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../app.js';
import { Obj } from '../schemas.js';

export function rootRoutes(app: FastifyInstance, { gateway }: RouteContext): void {
  app.get(
    '/',
    {
      schema: {
        tags: ['root'],
        summary: 'Welcome: server status and version',
        security: [],
        response: {
          200: Obj({ status: Type.Integer(), message: Type.String(), version: Type.String(), clientName: Type.String(), documentation: Type.String() }),
        },
      },
    },
    async (request) => {
      const host = request.headers.host ?? `localhost:${gateway.config.server.port}`;
      return {
        status: 200,
        message: 'Welcome to the Evolution API, it is working!',
        version: gateway.config.version,
        clientName: gateway.config.database.clientName,
        documentation: `${request.protocol}://${host}/docs`,
      };
    },
  );
}
