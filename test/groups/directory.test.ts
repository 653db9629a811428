import { describe, expect, it } from 'vitest';
import { GroupDirectory } from '../../src/channels/sandbox/groupDirectory.js';
import { GroupError } from '../../src/channels/operations/groups.js';

const admits = () => '200' as const;
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof GroupError ? e.reason : String(e);
  }
  return 'none';
};

describe('the sandbox group server rules', () => {
  it('gives the group to its longest-standing member when the last admin leaves, and forgets an empty group', () => {
    const d = new GroupDirectory();
    const g = d.create('1001', 'G', ['1002', '1003']);
    const first = d.leave(g.id, '1001');
    expect(first.promoted).toBe('1002');
    expect(d.metadata(g).participants).toEqual([{ id: '1002@s.whatsapp.net', admin: 'admin' }, { id: '1003@s.whatsapp.net', admin: null }]);
    expect(d.leave(g.id, '1003').promoted).toBeUndefined();
    d.leave(g.id, '1002');
    expect(refusal(() => d.visibleTo(g.id, '1002'))).toBe('item-not-found');
    expect(refusal(() => d.byInvite(g.inviteCode))).toBe('item-not-found');
  });

  it('answers per participant and keeps the creator', () => {
    const d = new GroupDirectory();
    const g = d.create('1001', 'G', ['1002']);
    const results = d.updateParticipants(g.id, '1001', ['1002', '1003', '1004'], 'add', (n) => (n === '1004' ? '403' : '200'));
    expect(results.map((r) => r.status)).toEqual(['409', '200', '403']);
    d.updateParticipants(g.id, '1001', ['1002'], 'promote', admits);
    expect(d.updateParticipants(g.id, '1002', ['1001'], 'remove', admits)).toEqual([{ status: '403', jid: '1001@s.whatsapp.net' }]);
    expect(d.updateParticipants(g.id, '1002', ['1001'], 'demote', admits)).toEqual([{ status: '403', jid: '1001@s.whatsapp.net' }]);
    expect(d.updateParticipants(g.id, '1002', ['1009'], 'remove', admits)).toEqual([{ status: '404', jid: '1009@s.whatsapp.net' }]);
  });

  it('locks, announces and limits adding as WhatsApp does', () => {
    const d = new GroupDirectory();
    const g = d.create('1001', 'G', ['1002']);
    expect(d.editInfo(g.id, '1002')).toBe(g);
    d.setSetting(g.id, '1001', 'locked');
    expect(refusal(() => d.editInfo(g.id, '1002'))).toBe('not-authorized');
    d.setSetting(g.id, '1001', 'announcement');
    expect(refusal(() => d.recipients(g.id, '1002'))).toBe('not-authorized');
    expect(d.recipients(g.id, '1001')).toEqual(['1002']);
    expect(d.updateParticipants(g.id, '1002', ['1003'], 'add', admits)[0]!.status).toBe('200');
    d.setMemberAddMode(g.id, '1001', 'admin_add');
    expect(refusal(() => d.updateParticipants(g.id, '1002', ['1004'], 'add', admits))).toBe('not-authorized');
    expect(refusal(() => d.setSetting(g.id, '1002', 'unlocked'))).toBe('not-authorized');
    expect(refusal(() => d.visibleTo(g.id, '1999'))).toBe('forbidden');
    expect(refusal(() => d.join(g.inviteCode, '1002'))).toBe('conflict');
  });
});
