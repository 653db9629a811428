import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, NotEmpty, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import { MASKED_PASSWORD, maskProxy, proxyServiceOf } from '../../domain/proxies.js';

/** A required string upstream also refuses when empty, with its wording (a wrong type keeps the type message). */

const ProxyBody = withExamples(
  Obj({
    enabled: Type.Boolean(),
    host: NotEmpty('host', { description: 'Proxy host name or IP address' }),
    port: NotEmpty('port', { description: 'Proxy port, as a string' }),
    protocol: NotEmpty('protocol', { description: 'http, https, socks4 or socks5' }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String({ description: 'Stored sealed; answers show it masked' })),
  }),
  { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'user', password: 'secret' },
  { enabled: true, host: '10.0.0.5', port: '1080', protocol: 'socks5' },
  { enabled: false, host: 'proxy.example.com', port: '3128', protocol: 'http' },
);

const ProxyFields = { enabled: Type.Boolean(), host: Type.String(), port: Type.String(), protocol: Type.String(), username: Type.String(), password: Type.String() };

const SetResponse = withExamples(Obj({ proxy: Obj({ instanceName: Type.String(), proxy: Obj(ProxyFields) }) }), {
  proxy: { instanceName: 'my-instance', proxy: { enabled: true, host: 'proxy.example.com', port: '3128', protocol: 'http', username: 'user', password: MASKED_PASSWORD } },
});

const FindResponse = withExamples(Type.Union([Obj({ id: Type.String(), ...ProxyFields, createdAt: Type.String(), updatedAt: Type.String(), instanceId: Type.String() }), Type.Null()]), {
  id: 'cm3x0proxy0000001',
  enabled: true,
  host: 'proxy.example.com',
  port: '3128',
  protocol: 'http',
  username: 'user',
  password: MASKED_PASSWORD,
  createdAt: '2024-10-21T12:00:00.000Z',
  updatedAt: '2024-10-21T12:00:00.000Z',
  instanceId: '2d6f0c1e-5a8b-4c3d-9e7f-0123456789ab',
});

export function proxyRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const proxies = proxyServiceOf(gateway);

  app.post<{ Params: { instanceName: string }; Body: Static<typeof ProxyBody> }>(
    '/proxy/set/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['proxy'], summary: 'Set the instance proxy (tested by a request through it first)', params: InstanceParams, body: ProxyBody, response: { 201: SetResponse, ...errorResponses } } },
    async (request, reply) => {
      const live = request.live as LiveInstance;
      const stored = await proxies.set(live.id, { username: '', password: '', ...request.body });
      reply.status(201);
      return { proxy: { instanceName: live.name, proxy: maskProxy(stored) } };
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/proxy/find/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['proxy'], summary: 'The instance proxy (password masked), or null', params: InstanceParams, response: { 200: FindResponse, ...errorResponses } } },
    async (request) => proxies.find((request.live as LiveInstance).id),
  );
}
