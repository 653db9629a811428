import { describe, expect, it } from 'vitest';
import { PhoneDirectory, DEFAULT_STATUS } from '../../src/channels/sandbox/directory.js';

const A = '5511900001001';
const B = '5511900001002';
const C = '5511900001003';

describe('sandbox phone directory: who sees what', () => {
  it('"contacts" means the numbers the owner wrote to; "contact_blacklist" counts as contacts; the owner always sees itself', () => {
    const d = new PhoneDirectory();
    d.pictureBase = () => 'http://gw';
    const a = d.entry(A);
    a.status = 'busy';
    a.picture = { id: 'abc', jpeg: Buffer.from('x') };
    a.privacy = { ...a.privacy, profile: 'contacts', status: 'contact_blacklist' };
    d.noteContact(A, B);
    expect(d.profileSeenBy(B, A)).toEqual({ name: null, status: 'busy', pictureUrl: `http://gw/sandbox/picture/${A}/abc.jpg` });
    expect(d.profileSeenBy(C, A)).toEqual({ name: null, status: null, pictureUrl: null });
    // B writing to A does not make B see A's contacts-only profile: only A's own address book counts.
    d.noteContact(C, A);
    expect(d.profileSeenBy(C, A).pictureUrl).toBeNull();
    a.privacy = { ...a.privacy, profile: 'none', status: 'none' };
    expect(d.profileSeenBy(B, A)).toEqual({ name: null, status: null, pictureUrl: null });
    expect(d.profileSeenBy(A, A).pictureUrl).toBe(`http://gw/sandbox/picture/${A}/abc.jpg`);
    // C's status is for C's contacts only; a number the network knows nothing about shows the defaults.
    d.entry(C).privacy.status = 'contacts';
    expect(d.profileSeenBy(B, C).status).toBeNull();
    expect(d.profileSeenBy(B, '5511900001009')).toEqual({ name: null, status: DEFAULT_STATUS, pictureUrl: null });
  });

  it('blocks are one-way; peers are both who the phone wrote to and who wrote to it', () => {
    const d = new PhoneDirectory();
    d.setBlocked(B, A, true);
    expect(d.isBlocked(B, A)).toBe(true);
    expect(d.isBlocked(A, B)).toBe(false);
    d.setBlocked(B, A, false);
    expect(d.isBlocked(B, A)).toBe(false);
    d.noteContact(A, B);
    d.noteContact(C, A);
    expect(d.peersOf(A).sort()).toEqual([B, C]);
    d.noteContact(A, A);
    expect(d.isContact(A, A)).toBe(false);
  });

  it('read receipts and online visibility follow the privacy settings', () => {
    const d = new PhoneDirectory();
    expect(d.sendsReadReceipts(A)).toBe(true);
    const a = d.entry(A);
    a.privacy = { ...a.privacy, readreceipts: 'none', online: 'match_last_seen', last: 'contacts' };
    d.noteContact(A, B);
    expect(d.sendsReadReceipts(A)).toBe(false);
    expect(d.showsOnline(A, B)).toBe(true);
    expect(d.showsOnline(A, C)).toBe(false);
    a.privacy = { ...a.privacy, online: 'all' };
    expect(d.showsOnline(A, C)).toBe(true);
  });

  it('every phone starts with the five predefined WhatsApp Business labels, each phone its own copy', () => {
    const d = new PhoneDirectory();
    expect([...d.entry(A).labels.values()].map((l) => l.name)).toEqual(['New customer', 'New order', 'Pending payment', 'Paid', 'Order complete']);
    d.entry(A).labels.get('1')!.name = 'Renamed';
    expect(d.entry(B).labels.get('1')!.name).toBe('New customer');
  });
});
