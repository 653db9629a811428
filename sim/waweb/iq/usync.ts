import { getBinaryNodeChild, getBinaryNodeChildren, getBinaryNodeChildString, isLidUser, jidDecode } from 'baileys';
import type { BinaryNode, IqHandler } from '../types.js';
import { result } from './router.js';

/** A WhatsApp account as usync reports it. */
export interface DirectoryUser {
  pn: string;
  lid: string;
  /** Devices whose prekey bundle the simulator can serve; 0 is the phone. */
  devices: number[];
}

/** Finds an account by the user part of a PN or LID JID (or a bare phone number). */
export type Directory = (user: string) => DirectoryUser | undefined;

const devicesNode = (u: DirectoryUser): BinaryNode => ({
  tag: 'devices',
  attrs: {},
  content: [
    {
      tag: 'device-list',
      attrs: {},
      // a companion needs a key-index, or the library drops it from the fan-out
      content: u.devices.map((id): BinaryNode => {
        const attrs: Record<string, string> = { id: `${id}` };
        if (id !== 0) attrs['key-index'] = `${id}`;
        return { tag: 'device', attrs };
      }),
    },
  ],
});

const userNode = (jid: string, asked: Set<string>, u: DirectoryUser | undefined, viaLid: boolean): BinaryNode => {
  const content: BinaryNode[] = [];
  if (asked.has('contact')) content.push({ tag: 'contact', attrs: { type: u ? 'in' : 'out' } });
  if (u && asked.has('devices')) content.push(devicesNode(u));
  // the LID of a PN; asked by LID, there is nothing more to map
  if (u && asked.has('lid') && !viaLid) content.push({ tag: 'lid', attrs: { val: `${u.lid}@lid` } });
  return { tag: 'user', attrs: { jid }, content };
};

/** `<iq xmlns="usync">`: devices, LID and contact (on WhatsApp?) for the users asked. */
export const usyncHandler =
  (directory: Directory): IqHandler =>
  (iq) => {
    const usync = getBinaryNodeChild(iq, 'usync');
    if (!usync) return undefined;
    const query = getBinaryNodeChild(usync, 'query');
    const asked = new Set(Array.isArray(query?.content) ? query.content.map((n) => n.tag) : []);
    const users = getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user').map(({ attrs, content }) => {
      const phone = Array.isArray(content) ? getBinaryNodeChildString({ tag: 'user', attrs, content }, 'contact') : undefined;
      if (!attrs.jid && phone) {
        const digits = phone.replace(/\D/g, '');
        return userNode(`${digits}@s.whatsapp.net`, asked, directory(digits), false);
      }
      const decoded = attrs.jid ? jidDecode(attrs.jid) : undefined;
      if (!attrs.jid || !decoded) return undefined;
      return userNode(attrs.jid, asked, directory(decoded.user), !!isLidUser(attrs.jid));
    });
    return result({
      tag: 'usync',
      attrs: { sid: usync.attrs.sid ?? '', mode: usync.attrs.mode ?? 'query', context: usync.attrs.context ?? 'interactive', last: 'true', index: '0' },
      content: [
        { tag: 'result', attrs: {} },
        { tag: 'list', attrs: {}, content: users.filter((n): n is BinaryNode => !!n) },
      ],
    });
  };
