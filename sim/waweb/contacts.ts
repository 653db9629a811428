import { Messaging } from './messaging.js';
import type { Simulator } from './simulator.js';

export { Messaging } from './messaging.js';
export { SimContact, type ContactMessage, type Envelope } from './contact.js';
export type { RetryRecord } from './retries.js';
export type { SimGroup } from './groups.js';
export { makeTestCa, MediaServer, type TestCa } from './media.js';
export { caDispatcher, type MediaKind } from './media-crypto.js';
export type { HistoryChat } from './messaging-history.js';
export type { SimCall } from './contact-call.js';
export type { ChatState } from './contact-presence.js';

const bySim = new WeakMap<Simulator, Messaging>();

/** The messaging layer of `sim` (contacts, groups, media, presence, calls, retry receipts), set up on first use. */
export const messagingOf = (sim: Simulator): Messaging => {
  let m = bySim.get(sim);
  if (!m) bySim.set(sim, (m = new Messaging(sim)));
  return m;
};

/** `sim`'s simulated contact of `phone`: `sendText(to, text)`, `received()`, `waitFor(text)`, `read(key)`. */
export const contact = (sim: Simulator, phone: string, name?: string) => messagingOf(sim).contact(phone, name);
