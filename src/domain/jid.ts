/** Turns what clients send as a "number" (digits, +, spaces, parens, or a full JID) into a WhatsApp JID. */
export function toJid(number: string): string {
  const trimmed = number.trim();
  if (trimmed.includes('@')) {
    if (/@(s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)$/.test(trimmed)) return trimmed;
    return `${trimmed.split('@')[0]}@s.whatsapp.net`;
  }
  const digits = trimmed.replace(/[\s+()\-]/g, '');
  if (trimmed.includes('-') && trimmed.length >= 24) return `${trimmed}@g.us`;
  if (/^\d{18,}$/.test(digits)) return `${digits}@g.us`;
  return `${digits}@s.whatsapp.net`;
}

export function jidUser(jid: string): string {
  return jid.split('@')[0]!.split(':')[0]!;
}

export function isGroupJid(jid: string): boolean {
  return jid.endsWith('@g.us');
}

/** Sandbox rule for "is this number on WhatsApp": 10 to 15 digits, not starting with 000. */
export function sandboxNumberExists(digits: string): boolean {
  return /^\d{10,15}$/.test(digits) && !digits.startsWith('000');
}
