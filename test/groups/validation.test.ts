import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';
import { member, type Member } from './helpers.js';

const bad = (message: unknown) => ({ status: 400, body: { status: 400, error: 'Bad Request', response: { message } } });
const NO_GROUP = ['The group id needs to be informed in the query', 'ex: "groupJid=120362@g.us"'];

/** Every /group route with a well-formed request for `g` (the group JID). */
const routes = (g: string): Array<[string, string, unknown?]> => [
  ['POST', 'create', { subject: 'x', participants: ['5511966660002'] }],
  ['POST', 'updateGroupSubject', { groupJid: g, subject: 'x' }],
  ['POST', 'updateGroupPicture', { groupJid: g, image: 'https://example.invalid/x.png' }],
  ['POST', 'updateGroupDescription', { groupJid: g, description: 'x' }],
  ['GET', `findGroupInfos?groupJid=${g}`],
  ['GET', 'fetchAllGroups?getParticipants=false'],
  ['GET', `participants?groupJid=${g}`],
  ['GET', `inviteCode?groupJid=${g}`],
  ['GET', 'inviteInfo?inviteCode=AAAAAAAAAAAAAAAAAAAAAA'],
  ['GET', 'acceptInviteCode?inviteCode=AAAAAAAAAAAAAAAAAAAAAA'],
  ['POST', 'sendInvite', { groupJid: g, description: 'x', numbers: ['5511966660002'] }],
  ['POST', `revokeInviteCode?groupJid=${g}`],
  ['POST', 'updateParticipant', { groupJid: g, action: 'add', participants: ['5511966660002'] }],
  ['POST', 'updateSetting', { groupJid: g, action: 'locked' }],
  ['POST', 'toggleEphemeral', { groupJid: g, expiration: 0 }],
  ['POST', 'updateMemberAddMode', { groupJid: g, mode: 'admin_add' }],
  ['DELETE', `leaveGroup?groupJid=${g}`],
];
const at = (path: string, instance: string) => (path.includes('?') ? path.replace('?', `/${instance}?`) : `${path}/${instance}`);

describe('/group: validation in upstream words, auth, refusals', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  let owner: Member;
  let other: Member;
  let group = '';

  beforeAll(async () => {
    await hook.start();
    server = await startTestServer();
    owner = await member(server, hook, 'owner', '5511966660001', 'Owner');
    other = await member(server, hook, 'other', '5511966660002', 'Other');
    group = (await server.call('POST', '/group/create/owner', { subject: 'V', participants: [other.number] }, owner.token)).body.id;
  });
  afterAll(async () => {
    await server?.stop();
    await hook.stop();
  });

  const call = (method: string, path: string, body?: unknown, key: string | null = owner.token) => server.call(method, `/group/${path}`, body, key);

  it('every route refuses a foreign token (401) and names an unknown instance (404), never a 5xx', async () => {
    for (const [method, path, body] of routes(group)) {
      expect(await call(method, at(path, 'owner'), body, other.token), `${method} ${path}`).toMatchObject({ status: 401, body: { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } } });
      expect(await call(method, at(path, 'owner'), body, null), `${method} ${path}`).toMatchObject({ status: 401 });
      expect(await call(method, at(path, 'ghost'), body, server.key), `${method} ${path}`).toMatchObject({ status: 404, body: { response: { message: ['The "ghost" instance does not exist'] } } });
    }
  });

  it('groupJid comes from the body or the query; without it, upstream says so', async () => {
    for (const [method, path] of routes(group)) {
      if (!/groupJid/.test(JSON.stringify(routes(group).find((r) => r[1] === path))) || path.startsWith('sendInvite')) continue;
      const bare = at(path.split('?')[0]!, 'owner');
      const body = method === 'POST' ? { subject: 'x', description: 'x', image: 'x', action: 'locked', expiration: 0, mode: 'admin_add', participants: ['5511966660002'] } : undefined;
      expect(await call(method, bare, body), `${method} ${path}`).toMatchObject(bad(NO_GROUP));
    }
  });

  it('bodies fail in the group style: one {property, message} per error', async () => {
    expect(await call('POST', 'updateGroupSubject/owner', { groupJid: group })).toMatchObject(bad([{ property: 'instance', message: 'instance requires property "subject"' }]));
    expect(await call('POST', 'updateGroupSubject/owner', { groupJid: group, subject: '' })).toMatchObject(bad([{ property: 'subject', message: 'The "subject" cannot be empty' }]));
    expect(await call('POST', 'updateGroupDescription/owner', { groupJid: group, description: 5 })).toMatchObject(bad([{ property: 'description', message: 'description is not of a type(s) string' }]));
    expect(await call('POST', 'updateParticipant/owner', { groupJid: group, action: 'kick', participants: ['123'] })).toMatchObject(bad([
      { property: 'action', message: 'action is not one of enum values: add,remove,promote,demote' },
      { property: 'participants[0]', message: '"participants" must be an array of numeric strings' },
    ]));
    expect(await call('POST', 'updateSetting/owner', { groupJid: group, action: 'open' })).toMatchObject(bad([{ property: 'action', message: 'action is not one of enum values: announcement,not_announcement,locked,unlocked' }]));
    expect(await call('POST', 'toggleEphemeral/owner', { groupJid: group, expiration: 5 })).toMatchObject(bad([{ property: 'expiration', message: 'expiration is not one of enum values: 0,86400,604800,7776000' }]));
    expect(await call('POST', 'toggleEphemeral/owner', { groupJid: group, expiration: '86400' })).toMatchObject(bad([{ property: 'expiration', message: 'expiration is not of a type(s) number' }, { property: 'expiration', message: 'expiration is not one of enum values: 0,86400,604800,7776000' }]));
    expect(await call('POST', 'updateMemberAddMode/owner', { groupJid: group })).toMatchObject(bad([{ property: 'instance', message: 'instance requires property "mode"' }]));
    expect(await call('POST', 'sendInvite/owner', { description: 'x', numbers: [] })).toMatchObject(bad([
      { property: 'instance', message: 'instance requires property "groupJid"' },
      { property: 'numbers', message: 'numbers does not meet minimum length of 1' },
    ]));
    expect(await call('GET', 'findGroupInfos/owner?groupJid=abc')).toMatchObject(bad([{ property: 'groupJid', message: 'groupJid does not match pattern "^[\\\\d-]+@g.us$"' }]));
  });

  it('query parameters: getParticipants and inviteCode as upstream checks them; create fails in plain strings', async () => {
    expect(await call('GET', 'fetchAllGroups/owner')).toMatchObject(bad(['The getParticipants needs to be informed in the query']));
    expect(await call('GET', 'fetchAllGroups/owner?getParticipants=yes')).toMatchObject(bad([{ property: 'getParticipants', message: 'getParticipants is not one of enum values: true,false' }]));
    for (const route of ['inviteInfo', 'acceptInviteCode']) {
      expect(await call('GET', `${route}/owner`)).toMatchObject(bad(['The group invite code id needs to be informed in the query', 'ex: "inviteCode=F1EX5QZxO181L3TMVP31gY" (Obtained from group join link)']));
      expect(await call('GET', `${route}/owner?inviteCode=short`)).toMatchObject(bad([{ property: 'inviteCode', message: 'inviteCode does not match pattern "^[a-zA-Z0-9]{22}$"' }]));
    }
    expect(await call('POST', 'create/owner', { subject: 'x' })).toMatchObject(bad(['instance requires property "participants"']));
    expect(await call('POST', 'create/owner', { subject: 'x', participants: ['12'] })).toMatchObject(bad(['"participants" must be an array of numeric strings']));
  });

  it('unknown groups, codes and disconnected instances get upstream errors, not 5xx', async () => {
    const ghost = '120363999999999999@g.us';
    expect(await call('GET', `findGroupInfos/owner?groupJid=${ghost}`)).toMatchObject({ status: 404, body: { response: { message: ['Error fetching group', 'Error: item-not-found'] } } });
    expect(await call('GET', `participants/owner?groupJid=${ghost}`)).toMatchObject({ status: 404, body: { response: { message: ['No participants', 'Error: item-not-found'] } } });
    expect(await call('POST', 'updateSetting/owner', { groupJid: ghost, action: 'locked' })).toMatchObject({ status: 400, body: { response: { message: ['Error updating setting', 'Error: item-not-found'] } } });
    expect(await call('GET', 'acceptInviteCode/owner?inviteCode=AAAAAAAAAAAAAAAAAAAAAA')).toMatchObject({ status: 404, body: { response: { message: ['Accept invite error', 'Error: item-not-found'] } } });
    expect(await call('POST', 'sendInvite/owner', { groupJid: ghost, description: 'join', numbers: ['5511966660002'] })).toMatchObject({ status: 404, body: { response: { message: ['No send invite'] } } });

    const created = await server.call('POST', '/instance/create', { instanceName: 'offline', integration: 'SANDBOX' });
    for (const [method, path, body] of routes(group)) {
      if (path.startsWith('updateGroupPicture')) continue;
      const res = await call(method, at(path, 'offline'), body, created.body.hash);
      // Upstream's sendInvite turns every failure into its one 404.
      if (path === 'sendInvite') expect(res).toMatchObject({ status: 404, body: { response: { message: ['No send invite'] } } });
      else expect(res, `${method} ${path}`).toMatchObject(bad(['The "offline" instance is not connected']));
    }
  });

  it('documents every route under the group tag', async () => {
    const docs = await server.call('GET', '/docs/json', undefined, null);
    expect(docs.status).toBe(200);
    const paths = Object.entries(docs.body.paths as Record<string, Record<string, { tags?: string[] }>>).filter(([p]) => p.startsWith('/group/'));
    expect(paths.map(([p]) => p.split('/')[2]).sort()).toEqual([...routes(group).map(([, p]) => p.split('?')[0]!), 'updateMemberAddMode'].filter((v, i, a) => a.indexOf(v) === i).sort());
    for (const [, ops] of paths) for (const op of Object.values(ops)) expect(op.tags).toEqual(['group']);
  });

  it('sendInvite writes the link to each number; the recipient instance gets it', async () => {
    const code = (await call('GET', `inviteCode/owner?groupJid=${group}`)).body.inviteCode;
    const res = await call('POST', 'sendInvite/owner', { groupJid: group, description: 'Come join', numbers: [other.number] });
    expect(res).toMatchObject({ status: 200, body: { send: true, inviteUrl: `https://chat.whatsapp.com/${code}` } });
    const got = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'other' && r.body.data.message?.conversation === `Come join\n\nhttps://chat.whatsapp.com/${code}`);
    expect(got.body.data.key).toMatchObject({ remoteJid: `${owner.number}@s.whatsapp.net`, fromMe: false });
  });
}, 60_000);
