import type { Button, ContactCard } from '../channels/content.js';
import { badRequest } from './errors.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Upstream accepts one emoji (one grapheme: skin tones, ZWJ sequences and flags included) or "" to remove a reaction. */
export function isReaction(text: string): boolean {
  if (text === '') return true;
  const graphemes = [...segmenter.segment(text)];
  return graphemes.length === 1 && /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u.test(text);
}

export function assertReaction(text: string): void {
  if (!isReaction(text)) throw badRequest('Reaction must be a single emoji or empty string');
}

/** Poll options: upstream's schema wants them unique (jsonschema words it "contains duplicate item"). */
export function assertPollValues(values: string[], selectableCount: number): void {
  if (new Set(values).size !== values.length) throw badRequest('values contains duplicate item');
  // Baileys refuses a selectable count above the number of options; upstream passes its error text through.
  if (selectableCount > values.length) throw badRequest(`Error: poll.selectableCount in poll should be >= 0 and <= ${values.length}`);
}

/** What each button type needs to be rendered. */
const REQUIRED_BY_TYPE: Record<Button['type'], string[]> = {
  reply: ['displayText', 'id'],
  copy: ['displayText', 'copyCode'],
  url: ['displayText', 'url'],
  call: ['displayText', 'phoneNumber'],
  pix: ['currency', 'name', 'keyType', 'key'],
};

/** Upstream's button rules (its wording), then each button's own fields. */
export function assertButtons(buttons: Button[] | undefined): asserts buttons is Button[] {
  if (!buttons?.length) throw badRequest('At least one button is required');
  const has = (...types: Button['type'][]) => buttons.some((b) => types.includes(b.type));
  if (has('reply')) {
    if (buttons.length > 3) throw badRequest('Maximum of 3 reply buttons allowed');
    if (has('url', 'call', 'copy', 'pix')) throw badRequest('Reply buttons cannot be mixed with CTA or PIX buttons');
  }
  if (has('pix')) {
    if (buttons.length > 1) throw badRequest('Only one PIX button is allowed');
  }
  if (has('url', 'call', 'copy') && buttons.length > 2) throw badRequest('Maximum of 2 CTA buttons allowed');
  buttons.forEach((b, i) => {
    const missing = REQUIRED_BY_TYPE[b.type].filter((f) => typeof b[f] !== 'string' || !(b[f] as string).length);
    if (missing.length) throw badRequest(...missing.map((f) => `buttons[${i}] requires property "${f}"`));
  });
}

/** A contact card as the client gave it (upstream field names). */
export function contactCards(contacts: Array<ContactCard>): ContactCard[] {
  return contacts.map((c) => ({ fullName: c.fullName, phoneNumber: c.phoneNumber, ...(c.wuid ? { wuid: c.wuid } : {}), ...(c.organization ? { organization: c.organization } : {}), ...(c.email ? { email: c.email } : {}), ...(c.url ? { url: c.url } : {}) }));
}
