import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { GroupService } from '../../domain/groups.js';
import type { GroupSetting, MemberAddMode, ParticipantAction } from '../../channels/operations/groups.js';
import * as S from './groupSchemas.js';
import { getParticipantsOf, groupJidOf, inviteCodeOf, validateGroupBody } from './groupValidation.js';

const tags = ['group'];
type Req = FastifyRequest<{ Params: { instanceName: string }; Body: Record<string, any>; Querystring: Record<string, string | undefined> }>;
const live = (request: Req) => request.live as LiveInstance;

/** Every /group route. Bodies are checked by their schema, but the group-style errors are rendered here (attachValidation). */
export function groupRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const groups = new GroupService({ instances: gateway.instances, repos: gateway.repos, messages: gateway.messages, media: gateway.media });
  const route = (summary: string, ok: number, response: TSchema, parts: { body?: TSchema; querystring?: TSchema } = {}) =>
    ({ onRequest: guards.instance, attachValidation: true, schema: { tags, summary, params: InstanceParams, ...parts, response: { [ok]: response, ...errorResponses } } }) as never;
  const created = <T>(reply: { status(code: number): unknown }, value: T) => (reply.status(201), value);

  // create validates as the message routes do (plain strings), not in the group style.
  app.post<{ Params: { instanceName: string }; Body: { subject: string; participants: string[]; description?: string; promoteParticipants?: boolean } }>(
    '/group/create/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Create a group with the instance as superadmin', params: InstanceParams, body: S.CreateGroupBody, response: { 201: S.GroupMetadataSchema, ...errorResponses } } },
    async (request, reply) => created(reply, await groups.create(request.live as LiveInstance, request.body)),
  );

  app.post('/group/updateGroupSubject/:instanceName', route('Rename a group', 201, S.UpdateSuccess, { body: S.SubjectBody, querystring: S.GroupJidQuery }), async (request: Req, reply) =>
    created(reply, await groups.updateSubject(live(request), groupJidOf(request), request.body.subject)));

  app.post('/group/updateGroupDescription/:instanceName', route("Change a group's description", 201, S.UpdateSuccess, { body: S.DescriptionBody, querystring: S.GroupJidQuery }), async (request: Req, reply) =>
    created(reply, await groups.updateDescription(live(request), groupJidOf(request), request.body.description)));

  app.post('/group/updateGroupPicture/:instanceName', route("Change a group's picture (URL or base64)", 201, S.UpdateSuccess, { body: S.PictureBody, querystring: S.GroupJidQuery }), async (request: Req, reply) =>
    created(reply, await groups.updatePicture(live(request), groupJidOf(request), request.body.image)));

  app.get('/group/findGroupInfos/:instanceName', route('One group with its participants', 200, S.GroupInfoSchema, { querystring: S.GroupJidQuery }), async (request: Req) =>
    groups.findGroupInfos(live(request), groupJidOf(request, true)));

  app.get('/group/fetchAllGroups/:instanceName', route('Every group the instance is in', 200, S.GroupInfoList, { querystring: S.ParticipantsQuery }), async (request: Req) =>
    groups.fetchAllGroups(live(request), getParticipantsOf(request)));

  app.get('/group/participants/:instanceName', route("A group's participants with their stored names and pictures", 200, S.ParticipantsResponse, { querystring: S.GroupJidQuery }), async (request: Req) =>
    groups.participants(live(request), groupJidOf(request, true)));

  app.get('/group/inviteCode/:instanceName', route("The group's invite link (admins only)", 200, S.InviteCodeResponse, { querystring: S.GroupJidQuery }), async (request: Req) =>
    groups.inviteCode(live(request), groupJidOf(request, true)));

  app.get('/group/inviteInfo/:instanceName', route('The group an invite code leads to', 200, S.GroupMetadataSchema, { querystring: S.InviteQuery }), async (request: Req) =>
    groups.inviteInfo(live(request), inviteCodeOf(request)));

  app.get('/group/acceptInviteCode/:instanceName', route('Join a group by invite code', 200, S.AcceptResponse, { querystring: S.InviteQuery }), async (request: Req) =>
    groups.acceptInvite(live(request), inviteCodeOf(request)));

  app.post('/group/sendInvite/:instanceName', route('Send the invite link to numbers as a text message', 200, S.SendInviteResponse, { body: S.SendInviteBody }), async (request: Req) => {
    validateGroupBody(request);
    const { description, numbers } = request.body;
    return groups.sendInvite(live(request), { groupJid: groupJidOf(request), description, numbers });
  });

  app.post('/group/revokeInviteCode/:instanceName', route('Invalidate the invite link; answers the new code', 201, S.RevokeResponse, { body: S.JidBody, querystring: S.GroupJidQuery }), async (request: Req, reply) =>
    created(reply, await groups.revokeInvite(live(request), groupJidOf(request, true))));

  app.post('/group/updateParticipant/:instanceName', route('Add, remove, promote or demote participants (a result per participant)', 201, S.UpdateParticipantsResponse, { body: S.ParticipantsBody, querystring: S.GroupJidQuery }), async (request: Req, reply) => {
    const groupJid = groupJidOf(request);
    return created(reply, await groups.updateParticipants(live(request), groupJid, request.body.action as ParticipantAction, request.body.participants));
  });

  app.post('/group/updateSetting/:instanceName', route('Announcement (only admins send) and locked (only admins edit) settings', 201, Loose('WhatsApp answers nothing: {}'), { body: S.SettingBody, querystring: S.GroupJidQuery }), async (request: Req, reply) => {
    const groupJid = groupJidOf(request);
    return created(reply, await groups.updateSetting(live(request), groupJid, request.body.action as GroupSetting));
  });

  app.post('/group/toggleEphemeral/:instanceName', route('Disappearing messages: 0, 1, 7 or 90 days', 201, S.SuccessResponse, { body: S.EphemeralBody, querystring: S.GroupJidQuery }), async (request: Req, reply) => {
    const groupJid = groupJidOf(request);
    return created(reply, await groups.toggleEphemeral(live(request), groupJid, request.body.expiration));
  });

  app.post('/group/updateMemberAddMode/:instanceName', route('Who may add members: all_member_add or admin_add (upstream 2.4)', 201, S.MemberAddModeResponse, { body: S.MemberAddModeBody, querystring: S.GroupJidQuery }), async (request: Req, reply) => {
    const groupJid = groupJidOf(request);
    return created(reply, await groups.updateMemberAddMode(live(request), groupJid, request.body.mode as MemberAddMode));
  });

  app.delete('/group/leaveGroup/:instanceName', route('Leave a group', 200, S.LeaveResponse, { querystring: S.GroupJidQuery }), async (request: Req) =>
    groups.leave(live(request), groupJidOf(request)));
}
