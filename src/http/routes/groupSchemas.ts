import { Type, type TSchema } from 'typebox';
import { Loose, Obj } from '../schemas.js';

/** A non-empty string; only the emptiness check carries upstream's sentence (a wrong type keeps the library's words). */
const NotEmpty = (name: string, options: Record<string, unknown> = {}) => Type.String({ allOf: [{ minLength: 1, 'x-error': `The "${name}" cannot be empty` }], ...options } as never);
const Numbers = (name: string) => Type.Array(Type.String({ minLength: 10, pattern: '\\d+', 'x-error': `"${name}" must be an array of numeric strings` } as never), { minItems: 1, uniqueItems: true });
const GroupJid = Type.Optional(Type.String({ description: 'The group (`...@g.us`; the suffix is added when missing); or `?groupJid=`' }));

export const CreateGroupBody = Obj({
  subject: NotEmpty('subject'),
  participants: Numbers('participants'),
  description: Type.Optional(NotEmpty('description')),
  promoteParticipants: Type.Optional(Type.Boolean()),
});
export const SubjectBody = Obj({ groupJid: GroupJid, subject: NotEmpty('subject') });
export const DescriptionBody = Obj({ groupJid: GroupJid, description: NotEmpty('description') });
export const PictureBody = Obj({ groupJid: GroupJid, image: NotEmpty('image', { description: 'Image URL or base64' }) });
export const SendInviteBody = Obj({ groupJid: NotEmpty('groupJid'), description: NotEmpty('description'), numbers: Numbers('numbers') });
export const ParticipantsBody = Obj({ groupJid: GroupJid, action: Type.String({ enum: ['add', 'remove', 'promote', 'demote'] }), participants: Numbers('participants') });
export const SettingBody = Obj({ groupJid: GroupJid, action: Type.String({ enum: ['announcement', 'not_announcement', 'locked', 'unlocked'] }) });
export const EphemeralBody = Obj({ groupJid: GroupJid, expiration: Type.Number({ enum: [0, 86400, 604800, 7776000], description: 'Seconds; 0 turns disappearing messages off' } as never) });
export const MemberAddModeBody = Obj({ groupJid: GroupJid, mode: Type.String({ enum: ['all_member_add', 'admin_add'] }) });
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
export const GroupMetadataSchema = InOrder(Obj({
  id: Type.String(), addressingMode: Type.String(), subject: Type.String(), subjectOwner: Str, subjectTime: Int, size: Type.Integer(), creation: Int, owner: Str,
  desc: Str, descId: Str, descOwner: Str, descTime: Int, linkedParent: Str, restrict: Type.Boolean(), announce: Type.Boolean(), isCommunity: Type.Boolean(),
  isCommunityAnnounce: Type.Boolean(), joinApprovalMode: Type.Boolean(), memberAddMode: Type.Boolean(), participants: Type.Array(Participant), ephemeralDuration: Int,
}));

/** findGroupInfos and fetchAllGroups (participants only with `getParticipants=true`). */
export const GroupInfoSchema = InOrder(Obj({
  id: Type.String(), subject: Type.String(), subjectOwner: Str, subjectTime: Int, pictureUrl: Type.Union([Type.String(), Type.Null()]), size: Type.Integer(),
  creation: Int, owner: Str, desc: Str, descId: Str, restrict: Type.Boolean(), announce: Type.Boolean(), participants: Type.Optional(Type.Array(Participant)),
  isCommunity: Type.Boolean(), isCommunityAnnounce: Type.Boolean(), linkedParent: Str,
}));

export const ParticipantsResponse = Obj({ participants: Type.Array(Loose('{id, admin, name, imgUrl}')) });
export const UpdateSuccess = Obj({ update: Type.String() });
export const InviteCodeResponse = Obj({ inviteUrl: Type.String(), inviteCode: Type.String() });
export const AcceptResponse = Obj({ accepted: Type.Boolean(), groupJid: Type.String() });
export const RevokeResponse = Obj({ revoked: Type.Boolean(), inviteCode: Type.String() });
export const SendInviteResponse = Obj({ send: Type.Boolean(), inviteUrl: Type.String() });
export const UpdateParticipantsResponse = Obj({ updateParticipants: Type.Array(Obj({ status: Type.String(), jid: Type.String() })) });
export const MemberAddModeResponse = Obj({ update: Type.String(), mode: Type.String() });
export const LeaveResponse = Obj({ groupJid: Type.String(), leave: Type.Boolean() });
export const SuccessResponse = Obj({ success: Type.Boolean() });
