import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../../driver.js';
import type { SandboxDriver } from '../driver.js';
import { controlRoute, sandboxResolver } from '../routes.js';
import { Obj } from '../../../http/schemas.js';

const CallBody = Obj({ from: Type.String({ pattern: '^\\d{8,15}$', description: "The caller's number (digits)" }), isVideo: Type.Optional(Type.Boolean()) });
type P = { instanceName: string };

/** A simulated contact calls the instance: its webhook gets `call`; rejectCall and msgCall answer, as the response shows. */
export function callControls(app: FastifyInstance, { gateway, guards }: DriverRouteContext, driver: SandboxDriver): void {
  const sandboxOf = sandboxResolver(gateway, driver);
  app.post<{ Params: P; Body: Static<typeof CallBody> }>('/sandbox/call/:instanceName', controlRoute(guards)('A contact calls the instance (201 once the call event is stored; `status` says whether it was rejected)', CallBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const id = randomBytes(16).toString('hex').toUpperCase();
    const outcome = await gateway.instances.channelCall(() => channel.calls.ring({ id, isVideo: request.body.isVideo ?? false, from: request.body.from }));
    reply.status(201);
    return { id, from: `${request.body.from}@s.whatsapp.net`, ...outcome };
  });
}
