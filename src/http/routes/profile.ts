import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, NotEmpty, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { PrivacySettings } from '../../channels/operations/privacy.js';
import { ProfileService } from '../../domain/profiles.js';
import { InstanceCache } from '../../domain/instanceCache.js';

const Audience = Type.String({ enum: ['all', 'contacts', 'contact_blacklist', 'none'] });
const PrivacyBody = Obj({
  readreceipts: Type.String({ enum: ['all', 'none'] }),
  profile: Audience,
  status: Audience,
  online: Type.String({ enum: ['all', 'match_last_seen'] }),
  last: Audience,
  groupadd: Audience,
});
const NumberBody = Obj({ number: Type.Optional(Type.String({ minLength: 1, description: "Someone else's number; the instance's own profile when omitted" })) });
/** Upstream's isNotEmpty: a wrong type keeps the library's words, only an empty string gets this sentence. */
const NameBody = Obj({ name: NotEmpty('name') });
const StatusBody = Obj({ status: NotEmpty('status') });
const PictureBody = Obj({ picture: Type.Optional(Type.String({ description: 'Image URL or base64' })) });
const Update = Obj({ update: Type.String() });
const ProfileResponse = Obj({
  wuid: Type.String(),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  numberExists: Type.Boolean(),
  picture: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.String(), Type.Null()]),
  isBusiness: Type.Boolean(),
  email: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  website: Type.Optional(Type.String()),
});

const tags = ['chat'];
type P = { instanceName: string };
const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;

/** The instance's own profile and privacy, and other numbers' profiles as the instance may see them. */
export function profileRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const profiles = new ProfileService(gateway.instances, new InstanceCache(gateway.cache, gateway.config.cache.ttlSeconds), () => gateway.media);
  const base = { onRequest: guards.instance };
  const schema = (summary: string, body: TSchema | undefined, ok: number, response: TSchema) => ({ tags, summary, params: InstanceParams, ...(body ? { body } : {}), response: { [ok]: response, ...errorResponses } });
  const UpdateOk = withExamples(Update, { update: 'success' });
  const PRIVACY = { readreceipts: 'all', profile: 'contacts', status: 'contacts', online: 'match_last_seen', last: 'contacts', groupadd: 'contacts' };

  app.post<{ Params: P; Body: Static<typeof NumberBody> }>('/chat/fetchProfile/:instanceName', { ...base, schema: schema("A number's profile (privacy applied), or the instance's own", withExamples(NumberBody, { number: '5511999999999' }, {}), 200, ProfileResponse) }, async (request) =>
    profiles.fetchProfile(live(request), request.body.number),
  );

  app.post<{ Params: P; Body: Static<typeof NumberBody> }>('/chat/fetchBusinessProfile/:instanceName', { ...base, schema: schema('Business profile of a number (`isBusiness:false` for personal accounts)', withExamples(NumberBody, { number: '5511999999999' }), 200, Loose('{isBusiness:true, wid, description, email, website[], category, address, business_hours} or {isBusiness:false, message, jid, exists, number}')) }, async (request) =>
    profiles.fetchBusinessProfile(live(request), request.body.number),
  );

  app.post<{ Params: P; Body: Static<typeof NameBody> }>('/chat/updateProfileName/:instanceName', { ...base, schema: schema("The instance's display name (push name)", withExamples(NameBody, { name: 'Acme Support' }), 200, UpdateOk) }, async (request) =>
    profiles.updateName(live(request), request.body.name),
  );

  app.post<{ Params: P; Body: Static<typeof StatusBody> }>('/chat/updateProfileStatus/:instanceName', { ...base, schema: schema("The instance's about text", withExamples(StatusBody, { status: 'Open 9am to 6pm' }), 200, UpdateOk) }, async (request) =>
    profiles.updateStatus(live(request), request.body.status),
  );

  app.post<{ Params: P; Body: Static<typeof PictureBody> }>('/chat/updateProfilePicture/:instanceName', { ...base, schema: schema("The instance's profile picture, from a URL or base64 (contacts get contacts.update)", withExamples(PictureBody, { picture: 'https://example.com/logo.png' }), 200, UpdateOk) }, async (request) =>
    profiles.updatePicture(live(request), request.body.picture as string | undefined),
  );

  app.delete<{ Params: P }>('/chat/removeProfilePicture/:instanceName', { ...base, schema: schema("Removes the instance's profile picture", undefined, 200, UpdateOk) }, async (request) =>
    profiles.removePicture(live(request)),
  );

  app.get<{ Params: P }>('/chat/fetchPrivacySettings/:instanceName', { ...base, schema: schema('Privacy settings', undefined, 200, withExamples(PrivacyBody, PRIVACY)) }, async (request) =>
    profiles.fetchPrivacy(live(request)),
  );

  app.post<{ Params: P; Body: Static<typeof PrivacyBody> }>('/chat/updatePrivacySettings/:instanceName', { ...base, schema: schema('Sets all six privacy settings', withExamples(PrivacyBody, PRIVACY), 201, withExamples(Obj({ update: Type.String(), data: PrivacyBody }), { update: 'success', data: PRIVACY })) }, async (request, reply) => {
    const out = await profiles.updatePrivacy(live(request), request.body as PrivacySettings);
    reply.status(201);
    return out;
  });
}
