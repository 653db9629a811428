import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { DriverRouteContext } from '../../driver.js';
import type { SandboxDriver } from '../driver.js';
import { controlRoute, inboundOf, sandboxResolver } from '../routes.js';
import { GroupActions } from '../groupActions.js';
import { Obj } from '../../../http/schemas.js';
import { badRequest, notFound } from '../../../domain/errors.js';
import type { SandboxChannel } from '../channel.js';

const Phone = Type.String({ pattern: '^\\d{8,15}$', description: 'digits only' });
const GroupJid = Type.String({ pattern: '^[\\d-]+@g\\.us$' });
const Contact = { groupJid: GroupJid, from: { ...Phone, description: 'The simulated contact (a member; admin for most changes) who acts' } };
const InfoBody = Obj({ ...Contact, subject: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), description: Type.Optional(Type.String({ maxLength: 2048 })) });
const ParticipantsBody = Obj({ ...Contact, action: Type.String({ enum: ['add', 'remove', 'promote', 'demote'] }), participants: Type.Array(Phone, { minItems: 1, maxItems: 256 }) });
const MessageBody = Obj({
  ...Contact,
  pushName: Type.Optional(Type.String({ maxLength: 255 })),
  text: Type.Optional(Type.String()),
  message: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

type P = { instanceName: string };

/** Group changes made by someone else: a simulated contact renames, re-describes, manages members or writes in a group. */
export function groupControls(app: FastifyInstance, { gateway, guards }: DriverRouteContext, driver: SandboxDriver): void {
  const sandboxOf = sandboxResolver(gateway, driver);
  const base = controlRoute(guards);
  const server = new GroupActions(driver.network);

  /** The contact must be simulated (a sandbox instance uses its own /group routes) and the instance must see the group. */
  const check = (channel: SandboxChannel, groupJid: string, from: string) => {
    channel.assertOpen();
    if (driver.network.isKnown(from)) throw badRequest(`${from} is a sandbox instance: use its /group routes`);
    driver.network.groups.visibleTo(groupJid, channel.number);
  };
  const act = <T>(fn: () => T | Promise<T>) => gateway.instances.channelCall(fn);

  app.post<{ Params: P; Body: Static<typeof InfoBody> }>('/sandbox/groupInfo/:instanceName', base("A contact changes a group's subject and/or description (201 once every member's gateway has the events)", InfoBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const { groupJid, from, subject, description } = request.body;
    if (subject === undefined && description === undefined) throw badRequest('instance requires property "subject" or "description"');
    await act(async () => {
      check(channel, groupJid, from);
      if (subject !== undefined) await server.updateSubject(from, groupJid, subject);
      if (description !== undefined) await server.updateDescription(from, groupJid, description);
    });
    reply.status(201);
    return server.metadata(channel.number, groupJid);
  });

  app.post<{ Params: P; Body: Static<typeof ParticipantsBody> }>('/sandbox/groupParticipants/:instanceName', base('A contact adds, removes, promotes or demotes members', ParticipantsBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const { groupJid, from, action, participants } = request.body;
    const results = await act(() => {
      check(channel, groupJid, from);
      return server.updateParticipants(from, groupJid, participants.map((n) => `${n}@s.whatsapp.net`), action as 'add');
    });
    reply.status(201);
    return { updateParticipants: results };
  });

  app.post<{ Params: P; Body: Static<typeof MessageBody> }>('/sandbox/groupMessage/:instanceName', base("A contact writes in a group: every member instance gets it with the contact as participant (201 once stored)", MessageBody, 201), async (request, reply) => {
    const { channel } = sandboxOf(request);
    const inbound = inboundOf(request.body);
    await act(async () => {
      check(channel, request.body.groupJid, request.body.from);
      await server.post(request.body.from, inbound);
    });
    reply.status(201);
    return inbound;
  });

  app.get<{ Params: { group: string; file: string } }>('/sandbox/groupPicture/:group/:file', { schema: { tags: ['sandbox'], summary: 'A group picture (public, as WhatsApp CDN links are)', hide: true } as never }, async (request, reply) => {
    const jpeg = driver.network.groups.picture(request.params.group, request.params.file.replace(/\.jpg$/, ''));
    if (!jpeg) throw notFound('No such picture');
    return reply.type('image/jpeg').header('cache-control', 'public, max-age=86400, immutable').send(jpeg);
  });
}
