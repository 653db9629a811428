import type { SandboxChannel } from './channel.js';
import type { PhoneEntry, SandboxBusiness, SandboxLabel } from './directory.js';
import type { PrivacySettings } from '../operations/privacy.js';

const KEY_TYPE = 'sandbox-phone';
const KEY_ID = 'state';

/** What a phone keeps across a gateway restart, in its instance's key store (sealed like its other keys). */
interface SavedPhone {
  number: string;
  name: string | null;
  status: string;
  picture: { id: string; jpeg: string } | null;
  privacy: PrivacySettings;
  blocked: string[];
  contacts: string[];
  business: SandboxBusiness | null;
  labels: SandboxLabel[];
  chatLabels: Array<[string, string[]]>;
  archived: string[];
  markedUnread: string[];
}

/** Saves the phone's state after a change made through it (profile, privacy, blocks, chat state, labels, business). */
export async function savePhoneState(phone: SandboxChannel): Promise<void> {
  const e = phone.opts.network.directory.entry(phone.number);
  const saved: SavedPhone = {
    number: phone.number,
    name: e.name,
    status: e.status,
    picture: e.picture && { id: e.picture.id, jpeg: e.picture.jpeg.toString('base64') },
    privacy: e.privacy,
    blocked: [...e.blocked],
    contacts: [...e.contacts],
    business: e.business,
    labels: [...e.labels.values()],
    chatLabels: [...e.chatLabels].map(([jid, ids]) => [jid, [...ids]]),
    archived: [...e.archived],
    markedUnread: [...e.markedUnread],
  };
  await phone.ctx.keys.set({ [KEY_TYPE]: { [KEY_ID]: saved } });
}

/** After a restart the network knows nothing of the phone yet: its saved state comes back before it goes online. */
export async function restorePhoneState(phone: SandboxChannel): Promise<void> {
  const { directory } = phone.opts.network;
  if (!phone.number || directory.has(phone.number)) return;
  const saved = (await phone.ctx.keys.get<SavedPhone>(KEY_TYPE, [KEY_ID]))[KEY_ID];
  if (!saved || saved.number !== phone.number) return;
  const entry: PhoneEntry = {
    name: saved.name,
    status: saved.status,
    picture: saved.picture && { id: saved.picture.id, jpeg: Buffer.from(saved.picture.jpeg, 'base64') },
    privacy: saved.privacy,
    blocked: new Set(saved.blocked),
    contacts: new Set(saved.contacts),
    business: saved.business,
    labels: new Map(saved.labels.map((l) => [l.id, l])),
    chatLabels: new Map(saved.chatLabels.map(([jid, ids]) => [jid, new Set(ids)])),
    archived: new Set(saved.archived),
    markedUnread: new Set(saved.markedUnread),
  };
  directory.restore(phone.number, entry);
}
