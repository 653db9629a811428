import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';

const VerifyCredsResponse = withExamples(
  Obj({ status: Type.Integer(), message: Type.String(), facebookAppId: Type.Union([Type.String(), Type.Null()]), facebookConfigId: Type.Union([Type.String(), Type.Null()]), facebookUserToken: Type.Union([Type.String(), Type.Null()]) }),
  { status: 200, message: 'Credentials are valid', facebookAppId: '123456789012345', facebookConfigId: '987654321098765', facebookUserToken: null },
);

export function rootRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  // The global key is the only credential this checks; the answer is the Meta embedded-signup settings (FACEBOOK_*).
  app.post(
    '/verify-creds',
    { onRequest: guards.global, schema: { tags: ['root'], summary: 'Check the global key; answers the Meta embedded-signup settings', response: { 200: VerifyCredsResponse, ...errorResponses } } },
    async () => {
      const { appId, configId, userToken } = gateway.config.facebook;
      return { status: 200, message: 'Credentials are valid', facebookAppId: appId, facebookConfigId: configId, facebookUserToken: userToken };
    },
  );

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
