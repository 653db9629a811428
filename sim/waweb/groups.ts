import { randomInt } from 'node:crypto';
import type { BinaryNode } from './types.js';

/** A group the simulated server hosts. Members are PN user JIDs; addressing is by phone number. */
export interface SimGroup {
  jid: string;
  subject: string;
  creator: string;
  creation: number;
  members: string[];
  admins: Set<string>;
}

/** The groups the simulated server knows, by JID. */
export class Groups {
  private readonly byJid = new Map<string, SimGroup>();

  create(subject: string, creator: string, members: string[]): SimGroup {
    const creation = Math.floor(Date.now() / 1000);
    const jid = `120363${randomInt(100_000_000, 999_999_999)}${randomInt(100_000, 999_999)}@g.us`;
    const all = [creator, ...members.filter((m) => m !== creator)];
    const group: SimGroup = { jid, subject, creator, creation, members: all, admins: new Set([creator]) };
    this.byJid.set(jid, group);
    return group;
  }

  get(jid: string): SimGroup | undefined {
    return this.byJid.get(jid);
  }

  /** Groups `user` (a PN user JID) is a member of. */
  of(user: string): SimGroup[] {
    return [...this.byJid.values()].filter((g) => g.members.includes(user));
  }
}

/** The `<group>` node of the `w:g2` metadata answers (what the library's `extractGroupMetadata` reads). */
export const groupNode = (g: SimGroup, lidOf: (pn: string) => string | undefined): BinaryNode => ({
  tag: 'group',
  attrs: {
    id: g.jid.split('@')[0]!,
    subject: g.subject,
    s_t: `${g.creation}`,
    s_o: g.creator,
    creation: `${g.creation}`,
    creator: g.creator,
    size: `${g.members.length}`,
    addressing_mode: 'pn',
  },
  content: g.members.map((jid) => {
    const attrs: Record<string, string> = { jid };
    const lid = lidOf(jid);
    if (lid) attrs.lid = lid;
    if (g.admins.has(jid)) attrs.type = jid === g.creator ? 'superadmin' : 'admin';
    return { tag: 'participant', attrs };
  }),
});
