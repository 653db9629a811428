import type { Groups } from '../groups.js';
import { groupNode } from '../groups.js';
import type { IqHandler } from '../types.js';
import { result } from './router.js';

type LidOf = (pn: string) => string | undefined;

/** `<iq xmlns="w:g2" type="get" to="<group>"><query/>`: the group's metadata; 404 for a group it does not know. */
export const groupMetadataHandler =
  (groups: Groups, lidOf: LidOf): IqHandler =>
  (iq) => {
    const g = groups.get(iq.attrs.to ?? '');
    if (!g) return { tag: 'iq', attrs: { type: 'error' }, content: [{ tag: 'error', attrs: { code: '404', text: 'item-not-found' } }] };
    return result(groupNode(g, lidOf));
  };

/** `<iq xmlns="w:g2" type="get" to="@g.us"><participating/>`: every group of the asking user. */
export const participatingHandler =
  (groups: Groups, lidOf: LidOf): IqHandler =>
  (iq, { conn }) => {
    const user = conn.jid ? `${conn.jid.split('@')[0]!.split(':')[0]}@s.whatsapp.net` : '';
    return result({ tag: 'groups', attrs: {}, content: groups.of(user).map((g) => groupNode(g, lidOf)) });
  };
