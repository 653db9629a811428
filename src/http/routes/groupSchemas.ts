import { Type, type TSchema } from 'typebox';
import { Loose, NotEmpty, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';

/** A non-empty string; only the emptiness check carries upstream's sentence (a wrong type keeps the library's words). */
const Numbers = (name: string) => Type.Array(Type.String({ minLength: 10, pattern: '\\d+', 'x-error': `"${name}" must be an array of numeric strings` } as never), { minItems: 1, uniqueItems: true });
const GroupJid = Type.Optional(Type.String({ description: 'The group (`...@g.us`; the suffix is added when missing); or `?groupJid=`' }));

export const CreateGroupBody = withExamples(Obj({
  subject: NotEmpty('subject'),
  participants: Numbers('participants'),
  description: Type.Optional(NotEmpty('description')),
  promoteParticipants: Type.Optional(Type.Boolean()),
}), { subject: 'Sales team', participants: ['5511999990001', '5511999990002'], description: 'Weekly numbers', promoteParticipants: false });
export const SubjectBody = withExamples(Obj({ groupJid: GroupJid, subject: NotEmpty('subject') }), { groupJid: '120363041234567890@g.us', subject: 'Sales team 2025' });
export const DescriptionBody = withExamples(Obj({ groupJid: GroupJid, description: NotEmpty('description') }), { groupJid: '120363041234567890@g.us', description: 'Numbers every Monday' });
export const PictureBody = withExamples(Obj({ groupJid: GroupJid, image: NotEmpty('image', { description: 'Image URL or base64' }) }), { groupJid: '120363041234567890@g.us', image: 'https://example.com/logo.png' });
export const SendInviteBody = withExamples(Obj({ groupJid: NotEmpty('groupJid'), description: NotEmpty('description'), numbers: Numbers('numbers') }), { groupJid: '120363041234567890@g.us', description: 'Join the sales team', numbers: ['5511999990003'] });
export const ParticipantsBody = withExamples(Obj({ groupJid: GroupJid, action: Type.String({ enum: ['add', 'remove', 'promote', 'demote'] }), participants: Numbers('participants') }), { groupJid: '120363041234567890@g.us', action: 'promote', participants: ['5511999990001'] });
export const SettingBody = withExamples(Obj({ groupJid: GroupJid, action: Type.String({ enum: ['announcement', 'not_announcement', 'locked', 'unlocked'] }) }), { groupJid: '120363041234567890@g.us', action: 'announcement' });
export const EphemeralBody = withExamples(Obj({ groupJid: GroupJid, expiration: Type.Number({ enum: [0, 86400, 604800, 7776000], description: 'Seconds; 0 turns disappearing messages off' } as never) }), { groupJid: '120363041234567890@g.us', expiration: 604800 });
export const MemberAddModeBody = withExamples(Obj({ groupJid: GroupJid, mode: Type.String({ enum: ['all_member_add', 'admin_add'] }) }), { groupJid: '120363041234567890@g.us', mode: 'admin_add' });
export const JidBody = Obj({ groupJid: GroupJid });

export const GroupJidQuery = Obj({ groupJid: Type.Optional(Type.String()) });
export const InviteQuery = Obj({ inviteCode: Type.Optional(Type.String({ description: '22 letters and digits (from the chat.whatsapp.com link)' })) });
export const ParticipantsQuery = Obj({ getParticipants: Type.Optional(Type.String({ description: '`true` or `false` (required)' })) });

const Participant = Obj({ id: Type.String(), admin: Type.Union([Type.String({ enum: ['admin', 'superadmin'] }), Type.Null()]) });
const Str = Type.Optional(Type.String());
const Int = Type.Optional(Type.Integer());

/** The serializer writes required properties first; all-optional keeps upstream's field order on the wire. */
const InOrder = <T extends TSchema>(schema: T) => Type.Partial(schema);

/** Baileys' GroupMetadata, as create and inviteInfo answer it. */
const GROUP = '120363041234567890@g.us';
const OWNER = '5511999990001@s.whatsapp.net';
const PARTICIPANTS = [{ id: OWNER, admin: 'superadmin' }, { id: '5511999990002@s.whatsapp.net', admin: null }];

export const GroupMetadataSchema = withExamples(InOrder(Obj({
  id: Type.String(), addressingMode: Type.String(), subject: Type.String(), subjectOwner: Str, subjectTime: Int, size: Type.Integer(), creation: Int, owner: Str,
  desc: Str, descId: Str, descOwner: Str, descTime: Int, linkedParent: Str, restrict: Type.Boolean(), announce: Type.Boolean(), isCommunity: Type.Boolean(),
  isCommunityAnnounce: Type.Boolean(), joinApprovalMode: Type.Boolean(), memberAddMode: Type.Boolean(), participants: Type.Array(Participant), ephemeralDuration: Int,
})), { id: GROUP, addressingMode: 'pn', subject: 'Sales team', subjectOwner: OWNER, subjectTime: 1733000000, size: 2, creation: 1733000000, owner: OWNER, restrict: false, announce: false, isCommunity: false, isCommunityAnnounce: false, joinApprovalMode: false, memberAddMode: true, participants: PARTICIPANTS });

/** findGroupInfos and fetchAllGroups (participants only with `getParticipants=true`). */
export const GroupInfoSchema = withExamples(InOrder(Obj({
  id: Type.String(), subject: Type.String(), subjectOwner: Str, subjectTime: Int, pictureUrl: Type.Union([Type.String(), Type.Null()]), size: Type.Integer(),
  creation: Int, owner: Str, desc: Str, descId: Str, restrict: Type.Boolean(), announce: Type.Boolean(), participants: Type.Optional(Type.Array(Participant)),
  isCommunity: Type.Boolean(), isCommunityAnnounce: Type.Boolean(), linkedParent: Str,
})), { id: GROUP, subject: 'Sales team', subjectOwner: OWNER, subjectTime: 1733000000, pictureUrl: null, size: 2, creation: 1733000000, owner: OWNER, desc: 'Numbers every Monday', descId: '3EB0C0FFEE', restrict: false, announce: false, participants: PARTICIPANTS, isCommunity: false, isCommunityAnnounce: false });

export const ParticipantsResponse = withExamples(Obj({ participants: Type.Array(Loose('{id, admin, name, imgUrl}')) }), { participants: [{ id: OWNER, admin: 'superadmin', name: 'Ana', imgUrl: null }] });
export const UpdateSuccess = Obj({ update: Type.String() });
export const InviteCodeResponse = withExamples(Obj({ inviteUrl: Type.String(), inviteCode: Type.String() }), { inviteUrl: 'https://chat.whatsapp.com/F1EX5QZxO181L3TMVP31gY', inviteCode: 'F1EX5QZxO181L3TMVP31gY' });
export const AcceptResponse = withExamples(Obj({ accepted: Type.Boolean(), groupJid: Type.String() }), { accepted: true, groupJid: GROUP });
export const RevokeResponse = withExamples(Obj({ revoked: Type.Boolean(), inviteCode: Type.String() }), { revoked: true, inviteCode: 'Hq3Tz7mB0c9KxLw2PfYd1s' });
export const SendInviteResponse = Obj({ send: Type.Boolean(), inviteUrl: Type.String() });
export const UpdateParticipantsResponse = withExamples(Obj({ updateParticipants: Type.Array(Obj({ status: Type.String(), jid: Type.String() })) }), { updateParticipants: [{ status: '200', jid: '5511999990001@s.whatsapp.net' }, { status: '409', jid: '5511999990002@s.whatsapp.net' }] });
export const MemberAddModeResponse = Obj({ update: Type.String(), mode: Type.String() });
export const LeaveResponse = withExamples(Obj({ groupJid: Type.String(), leave: Type.Boolean() }), { groupJid: GROUP, leave: true });
export const SuccessResponse = Obj({ success: Type.Boolean() });

export const GroupInfoList = withExamples(Type.Array(GroupInfoSchema), [(GroupInfoSchema as unknown as { examples: unknown[] }).examples[0]]);
