import { getBinaryNodeChild, getBinaryNodeChildren } from 'baileys';
import type { BinaryNode } from '../types.js';
import type { IqRouter } from './router.js';
import { result } from './router.js';

const DEFAULTS: Record<string, string> = {
  last: 'all',
  online: 'all',
  profile: 'all',
  status: 'contacts',
  readreceipts: 'all',
  groupadd: 'all',
  calladd: 'all',
  messages: 'all',
};

/** Privacy settings (`privacy`) and block lists (`blocklist`), kept per companion user. */
export const registerPrivacy = (router: IqRouter): void => {
  const settings = new Map<string, Record<string, string>>();
  const blocked = new Map<string, Set<string>>();
  const userOf = (jid: string | undefined): string => (jid ?? '').split('@')[0]!.split(':')[0]!;
  const settingsOf = (jid: string | undefined) => {
    const key = userOf(jid);
    if (!settings.has(key)) settings.set(key, { ...DEFAULTS });
    return settings.get(key)!;
  };

  router.handle({ xmlns: 'privacy', type: 'get', child: 'privacy' }, (_iq, { conn }) =>
    result({
      tag: 'privacy',
      attrs: {},
      content: Object.entries(settingsOf(conn.jid)).map(([name, value]) => ({ tag: 'category', attrs: { name, value } })),
    }),
  );
  router.handle({ xmlns: 'privacy', type: 'set', child: 'privacy' }, (iq, { conn }) => {
    const own = settingsOf(conn.jid);
    for (const { attrs } of getBinaryNodeChildren(getBinaryNodeChild(iq, 'privacy'), 'category')) {
      if (attrs.name && attrs.value) own[attrs.name] = attrs.value;
    }
    return result();
  });

  const listOf = (jid: string | undefined) => {
    const key = userOf(jid);
    if (!blocked.has(key)) blocked.set(key, new Set());
    return blocked.get(key)!;
  };
  router.handle({ xmlns: 'blocklist', type: 'get' }, (_iq, { conn }) =>
    result({ tag: 'list', attrs: {}, content: [...listOf(conn.jid)].map((jid): BinaryNode => ({ tag: 'item', attrs: { jid } })) }),
  );
  router.handle({ xmlns: 'blocklist', type: 'set' }, (iq, { conn }) => {
    const item = getBinaryNodeChild(iq, 'item');
    if (item?.attrs.jid) {
      if (item.attrs.action === 'block') listOf(conn.jid).add(item.attrs.jid);
      else listOf(conn.jid).delete(item.attrs.jid);
    }
    return result();
  });
};
