import { getBinaryNodeChild, getBinaryNodeChildren, getBinaryNodeChildString } from 'baileys';
import type { Groups, SimGroup } from '../groups.js';
import { descriptionNode, groupNode, newInviteCode } from '../groups.js';
import type { BinaryNode, IqHandler } from '../types.js';
import { type IqRouter, result } from './router.js';

type LidOf = (pn: string) => string | undefined;
/** The PN user JID of any JID of a known user (LIDs included), undefined for strangers. */
type PnOf = (jid: string) => string | undefined;
/** Tells the group's companions what changed (`w:gp2` notification); `also` are ex-members to tell too. */
export type GroupNotify = (g: SimGroup, actor: string, change: BinaryNode, also?: string[]) => Promise<void>;

const asker = (jid: string | undefined): string => (jid ? `${jid.split('@')[0]!.split(':')[0]}@s.whatsapp.net` : '');
const notFound: BinaryNode = { tag: 'iq', attrs: { type: 'error' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
const participantsOf = (node: BinaryNode | undefined): string[] =>
  getBinaryNodeChildren(node, 'participant').map((p) => p.attrs.jid ?? '');

/** `<create subject>` to `@g.us`: a new group with the asker as creator and admin. */
export const groupCreateHandler =
  (groups: Groups, lidOf: LidOf, pnOf: PnOf, notify: GroupNotify): IqHandler =>
  async (iq, { conn }) => {
    const create = getBinaryNodeChild(iq, 'create');
    const members = participantsOf(create).map((j) => pnOf(j)).filter((j): j is string => !!j);
    const g = groups.create(create?.attrs.subject ?? '', asker(conn.jid), members);
    await notify(g, g.creator, { tag: 'create', attrs: {}, content: [groupNode(g, lidOf)] });
    return result(groupNode(g, lidOf));
  };

/** `add` / `remove` / `promote` / `demote` participants: each answered with status 200 (404 for a stranger). */
export const groupParticipantsHandler =
  (groups: Groups, pnOf: PnOf, action: 'add' | 'remove' | 'promote' | 'demote', notify: GroupNotify): IqHandler =>
  async (iq, { conn }) => {
    const g = groups.get(iq.attrs.to ?? '');
    if (!g) return notFound;
    const before = [...g.members];
    const content = participantsOf(getBinaryNodeChild(iq, action)).map((jid): BinaryNode => {
      const pn = pnOf(jid);
      if (!pn) return { tag: 'participant', attrs: { jid, error: '404' } };
      if (action === 'add' && !g.members.includes(pn)) g.members.push(pn);
      if (action === 'remove') g.members = g.members.filter((m) => m !== pn);
      if (action === 'promote') g.admins.add(pn);
      if (action === 'demote' || action === 'remove') g.admins.delete(pn);
      return { tag: 'participant', attrs: { jid } };
    });
    const done = content.filter((p) => !p.attrs.error);
    if (done.length) await notify(g, asker(conn.jid), { tag: action, attrs: {}, content: done }, before);
    return result({ tag: action, attrs: {}, content });
  };

/** `<subject>` set on a group. */
export const groupSubjectHandler =
  (groups: Groups, notify: GroupNotify): IqHandler =>
  async (iq, { conn }) => {
    const g = groups.get(iq.attrs.to ?? '');
    if (!g) return notFound;
    g.subject = getBinaryNodeChildString(iq, 'subject') ?? g.subject;
    await notify(g, asker(conn.jid), { tag: 'subject', attrs: { subject: g.subject, s_o: asker(conn.jid), s_t: `${Math.floor(Date.now() / 1000)}` } });
    return result();
  };

/** `<leave><group id/></leave>` to `@g.us`: the asker leaves each group named. */
export const groupLeaveHandler =
  (groups: Groups): IqHandler =>
  (iq, { conn }) => {
    const me = asker(conn.jid);
    for (const { attrs } of getBinaryNodeChildren(getBinaryNodeChild(iq, 'leave'), 'group')) {
      const g = groups.get(attrs.id ?? '');
      if (g) g.members = g.members.filter((m) => m !== me);
    }
    return result();
  };

/** `<iq xmlns="w:g2" type="get" to="<group>"><query/>`: the group's metadata; 404 for a group it does not know. */
export const groupMetadataHandler =
  (groups: Groups, lidOf: LidOf): IqHandler =>
  (iq) => {
    const g = groups.get(iq.attrs.to ?? '');
    if (!g) return notFound;
    return result(groupNode(g, lidOf));
  };

/** `<iq xmlns="w:g2" type="get" to="@g.us"><participating/>`: every group of the asking user. */
export const participatingHandler =
  (groups: Groups, lidOf: LidOf): IqHandler =>
  (_iq, { conn }) => result({ tag: 'groups', attrs: {}, content: groups.of(asker(conn.jid)).map((g) => groupNode(g, lidOf)) });

/** Settings set on a group (`announcement`, `locked`, `ephemeral`, `description`...): stored, told to members, empty result. */
export const groupSettingHandler =
  (groups: Groups, notify: GroupNotify): IqHandler =>
  async (iq, { conn }) => {
    const g = groups.get(iq.attrs.to ?? '');
    const change = Array.isArray(iq.content) ? iq.content[0] : undefined;
    if (!g || !change) return notFound;
    const by = asker(conn.jid);
    let told: BinaryNode = change;
    switch (change.tag) {
      case 'announcement':
      case 'not_announcement':
        g.announce = change.tag === 'announcement';
        break;
      case 'locked':
      case 'unlocked':
        g.locked = change.tag === 'locked';
        break;
      case 'ephemeral':
      case 'not_ephemeral':
        g.ephemeral = change.tag === 'ephemeral' ? Number(change.attrs.expiration ?? 0) : 0;
        break;
      case 'description': {
        const body = getBinaryNodeChildString(change, 'body');
        g.description = body ? { id: change.attrs.id ?? '', body, by, t: Math.floor(Date.now() / 1000) } : undefined;
        told = g.description ? descriptionNode(g.description) : { tag: 'description', attrs: { delete: 'true' } };
        break;
      }
    }
    await notify(g, by, told);
    return result();
  };

/** `<invite/>` get (the code) or set (a new code) on a group. */
export const groupInviteHandler =
  (groups: Groups, revoke: boolean): IqHandler =>
  (iq) => {
    const g = groups.get(iq.attrs.to ?? '');
    if (!g) return notFound;
    if (revoke) g.inviteCode = newInviteCode();
    return result({ tag: 'invite', attrs: { code: g.inviteCode } });
  };

/** `<invite code/>` set to `@g.us`: the asker joins the group the code belongs to. */
export const groupAcceptInviteHandler =
  (groups: Groups, notify: GroupNotify): IqHandler =>
  async (iq, { conn }) => {
    const g = groups.byInvite(getBinaryNodeChild(iq, 'invite')?.attrs.code ?? '');
    if (!g) return notFound;
    const me = asker(conn.jid);
    if (!g.members.includes(me)) {
      g.members.push(me);
      await notify(g, me, { tag: 'add', attrs: { reason: 'invite' }, content: [{ tag: 'participant', attrs: { jid: me } }] });
    }
    return result({ tag: 'group', attrs: { jid: g.jid } });
  };

/** Every `w:g2` IQ above, on `router`. */
export const registerGroupIqs = (router: IqRouter, groups: Groups, lidOf: LidOf, pnOf: PnOf, notify: GroupNotify): void => {
  const setting = groupSettingHandler(groups, notify);
  for (const child of ['announcement', 'not_announcement', 'locked', 'unlocked', 'ephemeral', 'not_ephemeral', 'description']) {
    router.handle({ xmlns: 'w:g2', type: 'set', child }, setting);
  }
  for (const action of ['add', 'remove', 'promote', 'demote'] as const) {
    router.handle({ xmlns: 'w:g2', type: 'set', child: action }, groupParticipantsHandler(groups, pnOf, action, notify));
  }
  const accept = groupAcceptInviteHandler(groups, notify);
  const revoke = groupInviteHandler(groups, true);
  router
    .handle({ xmlns: 'w:g2', type: 'get', child: 'invite' }, groupInviteHandler(groups, false))
    .handle({ xmlns: 'w:g2', type: 'set', child: 'invite' }, (iq, ctx) =>
      getBinaryNodeChild(iq, 'invite')?.attrs.code ? accept(iq, ctx) : revoke(iq, ctx),
    )
    .handle({ xmlns: 'w:g2', type: 'get', child: 'query' }, groupMetadataHandler(groups, lidOf))
    .handle({ xmlns: 'w:g2', type: 'get', child: 'participating' }, participatingHandler(groups, lidOf))
    .handle({ xmlns: 'w:g2', type: 'set', child: 'create' }, groupCreateHandler(groups, lidOf, pnOf, notify))
    .handle({ xmlns: 'w:g2', type: 'set', child: 'subject' }, groupSubjectHandler(groups, notify))
    .handle({ xmlns: 'w:g2', type: 'set', child: 'leave' }, groupLeaveHandler(groups));
};
