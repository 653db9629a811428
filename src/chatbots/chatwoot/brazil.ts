/**
 * A Brazilian mobile number is written with or without the ninth digit (55 DD 9XXXX-XXXX or 55 DD XXXX-XXXX); with
 * `mergeBrazilContacts` both spellings are the same Chatwoot contact. Other numbers have one spelling.
 */
export function phoneVariants(digits: string, mergeBrazil: boolean): string[] {
  if (!mergeBrazil || !digits.startsWith('55')) return [digits];
  if (digits.length === 13 && digits[4] === '9') return [digits, digits.slice(0, 4) + digits.slice(5)];
  if (digits.length === 12) return [digits, `${digits.slice(0, 4)}9${digits.slice(4)}`];
  return [digits];
}
