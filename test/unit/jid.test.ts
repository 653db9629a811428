import { describe, expect, it } from 'vitest';
import { sandboxNumberExists, toJid } from '../../src/domain/jid.js';
import { SecretBox, secretsEqual } from '../../src/security/secrets.js';

describe('numbers and JIDs', () => {
  it('normalizes what clients send', () => {
    expect(toJid('+55 (11) 99999-0000')).toBe('5511999990000@s.whatsapp.net');
    expect(toJid('5511999990000@s.whatsapp.net')).toBe('5511999990000@s.whatsapp.net');
    expect(toJid('120363025555555555')).toBe('120363025555555555@g.us');
    expect(toJid('120363025555555555@g.us')).toBe('120363025555555555@g.us');
    expect(toJid('272516946294519@lid')).toBe('272516946294519@lid');
  });

  it('applies the sandbox existence rule', () => {
    expect(sandboxNumberExists('5511999990000')).toBe(true);
    expect(sandboxNumberExists('123456789')).toBe(false);
    expect(sandboxNumberExists('1234567890123456')).toBe(false);
    expect(sandboxNumberExists('0001234567')).toBe(false);
  });
});

describe('secrets', () => {
  it('seals and opens; a different key cannot open; tampering is detected', () => {
    const box = new SecretBox('k1');
    const sealed = box.seal('TOKEN-123');
    expect(sealed).not.toContain('TOKEN');
    expect(box.open(sealed)).toBe('TOKEN-123');
    expect(() => new SecretBox('k2').open(sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('forged').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('compares keys of any length', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
