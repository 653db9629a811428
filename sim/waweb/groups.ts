import { randomBytes, randomInt } from 'node:crypto';
import type { BinaryNode } from './types.js';

/** A group the simulated server hosts. Members are PN user JIDs; addressing is by phone number. */
export interface SimGroup {
  jid: string;
  subject: string;
  creator: string;
  creation: number;
  members: string[];
  admins: Set<string>;
  /** How members appear on the wire: phone numbers, or LIDs (with `phone_number` / `participant_pn`). */
  addressing: 'pn' | 'lid';
  /** Settings the `w:g2` IQs change: announcement, locked, ephemeral seconds, description, invite code. */
  announce: boolean;
  locked: boolean;
  ephemeral: number;
  description?: { id: string; body: string; by: string; t: number };
  inviteCode: string;
}

export const newInviteCode = (): string => randomBytes(16).toString('base64url').slice(0, 22);

/** The groups the simulated server knows, by JID. */
export class Groups {
  private readonly byJid = new Map<string, SimGroup>();

  create(subject: string, creator: string, members: string[], addressing: 'pn' | 'lid' = 'pn'): SimGroup {
    const creation = Math.floor(Date.now() / 1000);
    const jid = `120363${randomInt(100_000_000, 999_999_999)}${randomInt(100_000, 999_999)}@g.us`;
    const all = [creator, ...members.filter((m) => m !== creator)];
    const group: SimGroup = {
      jid,
      subject,
      creator,
      creation,
      members: all,
      admins: new Set([creator]),
      addressing,
      announce: false,
      locked: false,
      ephemeral: 0,
      inviteCode: newInviteCode(),
    };
    this.byJid.set(jid, group);
    return group;
  }

  get(jid: string): SimGroup | undefined {
    return this.byJid.get(jid);
  }

  byInvite(code: string): SimGroup | undefined {
    return [...this.byJid.values()].find((g) => g.inviteCode === code);
  }

  /** Groups `user` (a PN user JID) is a member of. */
  of(user: string): SimGroup[] {
    return [...this.byJid.values()].filter((g) => g.members.includes(user));
  }
}

/** The `<group>` node of the `w:g2` metadata answers (what the library's `extractGroupMetadata` reads). */
export const groupNode = (g: SimGroup, lidOf: (pn: string) => string | undefined): BinaryNode => {
  const lidMode = g.addressing === 'lid';
  const creator = lidMode ? (lidOf(g.creator) ?? g.creator) : g.creator;
  return {
  tag: 'group',
  attrs: {
    id: g.jid.split('@')[0]!,
    subject: g.subject,
    s_t: `${g.creation}`,
    s_o: creator,
    creation: `${g.creation}`,
    creator,
    ...(lidMode ? { creator_pn: g.creator } : {}),
    size: `${g.members.length}`,
    addressing_mode: g.addressing,
  },
  content: [
    ...g.members.map((pn): BinaryNode => {
      const lid = lidOf(pn);
      const attrs: Record<string, string> = lidMode && lid ? { jid: lid, phone_number: pn } : { jid: pn, ...(lid ? { lid } : {}) };
      if (g.admins.has(pn)) attrs.type = pn === g.creator ? 'superadmin' : 'admin';
      return { tag: 'participant', attrs };
    }),
    ...(g.announce ? [{ tag: 'announcement', attrs: {} }] : []),
    ...(g.locked ? [{ tag: 'locked', attrs: {} }] : []),
    ...(g.ephemeral ? [{ tag: 'ephemeral', attrs: { expiration: `${g.ephemeral}` } }] : []),
    ...(g.description ? [descriptionNode(g.description)] : []),
  ],
  };
};

export const descriptionNode = (d: NonNullable<SimGroup['description']>): BinaryNode => ({
  tag: 'description',
  attrs: { id: d.id, participant: d.by, t: `${d.t}` },
  content: [{ tag: 'body', attrs: {}, content: Buffer.from(d.body) }],
});
