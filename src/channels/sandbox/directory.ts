import type { Audience, PrivacySettings } from '../operations/privacy.js';
import type { BusinessProfile, CatalogCollection, Product } from '../operations/business.js';
import type { ProfileView } from '../operations/profile.js';

export const DEFAULT_STATUS = 'Hey there! I am using WhatsApp.';
/** A new account's settings; a number the network knows nothing about (a simulated contact) shows itself by these. */
export const DEFAULT_PRIVACY: PrivacySettings = { readreceipts: 'all', profile: 'all', status: 'all', online: 'all', last: 'all', groupadd: 'all' };

export interface SandboxLabel {
  id: string;
  name: string;
  color: number;
  predefinedId?: string;
}

/** The labels WhatsApp Business starts every account with (ids and predefined ids 1-5). */
export const PREDEFINED_LABELS: SandboxLabel[] = [
  { id: '1', name: 'New customer', color: 0, predefinedId: '1' },
  { id: '2', name: 'New order', color: 1, predefinedId: '2' },
  { id: '3', name: 'Pending payment', color: 2, predefinedId: '3' },
  { id: '4', name: 'Paid', color: 3, predefinedId: '4' },
  { id: '5', name: 'Order complete', color: 4, predefinedId: '5' },
];

export interface SandboxBusiness {
  profile: Omit<BusinessProfile, 'wid'>;
  products: Product[];
  collections: CatalogCollection[];
}

/** What the network knows about one number: its profile, privacy, block list, contacts, labels, business. */
export interface PhoneEntry {
  name: string | null;
  status: string;
  picture: { id: string; jpeg: Buffer } | null;
  privacy: PrivacySettings;
  blocked: Set<string>;
  /** Numbers this phone has written to: its contacts, for the privacy settings that say "my contacts". */
  contacts: Set<string>;
  business: SandboxBusiness | null;
  labels: Map<string, SandboxLabel>;
  chatLabels: Map<string, Set<string>>;
  /** Chats the phone archived / marked unread, by JID. */
  archived: Set<string>;
  markedUnread: Set<string>;
}

/** Profiles, privacy settings and block lists of the sandbox phones, as the network shows them to each other. */
export class PhoneDirectory {
  private readonly entries = new Map<string, PhoneEntry>();
  /** Where the gateway serves profile pictures (set by the driver's routes once the server's address is known). */
  pictureBase: () => string = () => 'http://localhost';

  entry(number: string): PhoneEntry {
    let e = this.entries.get(number);
    if (!e) {
      e = { name: null, status: DEFAULT_STATUS, picture: null, privacy: { ...DEFAULT_PRIVACY }, blocked: new Set(), contacts: new Set(), business: null, labels: new Map(PREDEFINED_LABELS.map((l) => [l.id, { ...l }])), chatLabels: new Map(), archived: new Set(), markedUnread: new Set() };
      this.entries.set(number, e);
    }
    return e;
  }

  has(number: string): boolean {
    return this.entries.has(number);
  }

  restore(number: string, entry: PhoneEntry): void {
    this.entries.set(number, entry);
  }

  /** `owner`'s profile as `viewer` sees it. */
  profileSeenBy(viewer: string, owner: string): ProfileView {
    const e = this.entries.get(owner);
    if (!e) return { name: null, status: DEFAULT_STATUS, pictureUrl: null };
    return { name: e.name, status: this.shows(owner, viewer, e.privacy.status) ? e.status : null, pictureUrl: this.pictureUrlFor(viewer, owner) };
  }

  pictureUrlFor(viewer: string, owner: string): string | null {
    const e = this.entries.get(owner);
    if (!e?.picture || !this.shows(owner, viewer, e.privacy.profile)) return null;
    return `${this.pictureBase()}/sandbox/picture/${owner}/${e.picture.id}.jpg`;
  }

  picture(owner: string, id: string): Buffer | undefined {
    const p = this.entries.get(owner)?.picture;
    return p && p.id === id ? p.jpeg : undefined;
  }

  /** Whether `owner`'s setting lets `viewer` see it. "Contacts except..." has no exception list here: it means contacts. */
  shows(owner: string, viewer: string, audience: Audience): boolean {
    if (owner === viewer || audience === 'all') return true;
    if (audience === 'none') return false;
    return this.isContact(owner, viewer);
  }

  sendsReadReceipts(number: string): boolean {
    return this.entries.get(number)?.privacy.readreceipts !== 'none';
  }

  /** Online / offline shows to `viewer` unless "online" follows a last-seen setting that hides it from them. */
  showsOnline(owner: string, viewer: string): boolean {
    const privacy = this.entries.get(owner)?.privacy;
    return !privacy || privacy.online === 'all' || this.shows(owner, viewer, privacy.last);
  }

  isContact(owner: string, other: string): boolean {
    return this.entries.get(owner)?.contacts.has(other) ?? false;
  }

  noteContact(owner: string, other: string): void {
    if (owner !== other) this.entry(owner).contacts.add(other);
  }

  setBlocked(owner: string, other: string, blocked: boolean): void {
    const list = this.entry(owner).blocked;
    if (blocked) list.add(other);
    else list.delete(other);
  }

  /** Whether `owner` blocked `other`: then nothing from `other` reaches `owner`. */
  isBlocked(owner: string, other: string): boolean {
    return this.entries.get(owner)?.blocked.has(other) ?? false;
  }

  /** Numbers that would hear of `number`'s profile changes: those it wrote to and those who wrote to it. */
  peersOf(number: string): string[] {
    const out = new Set(this.entries.get(number)?.contacts ?? []);
    for (const [other, e] of this.entries) if (e.contacts.has(number)) out.add(other);
    out.delete(number);
    return [...out];
  }

  business(number: string): SandboxBusiness | null {
    return this.entries.get(number)?.business ?? null;
  }
}
