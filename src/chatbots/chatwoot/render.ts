import { isGroupJid, jidUser } from '../../domain/jid.js';
import { isMediaType } from '../../domain/messageContent.js';

/** A stored message as events carry it (upstream's message record). */
export interface MessageRecord {
  key: { id: string; remoteJid: string; fromMe: boolean; participant?: string; remoteJidAlt?: string };
  pushName?: string | null;
  message: Record<string, unknown>;
  messageType: string;
  messageTimestamp: number;
}

/** What Chatwoot gets for a WhatsApp message: its text, and whether the stored media goes along as an attachment. */
export interface Rendered {
  content: string;
  media?: { mimetype: string; fileName?: string };
}

type Part = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The text Chatwoot shows for a message, upstream style (media captions, locations, contacts, the rest by type). */
export function render(m: MessageRecord): Rendered | undefined {
  const type = m.messageType;
  const part = (m.message[type] ?? {}) as Part;
  let out: Rendered | undefined;
  if (type === 'conversation') out = { content: str(m.message.conversation) };
  else if (type === 'extendedTextMessage') out = { content: str(part.text) };
  else if (isMediaType(type)) out = { content: str(part.caption), media: { mimetype: str(part.mimetype) || 'application/octet-stream', ...(part.fileName ? { fileName: str(part.fileName) } : {}) } };
  else if (type === 'locationMessage' || type === 'liveLocationMessage') {
    const lines = ['*Location:*', str(part.name), str(part.address), `https://www.google.com/maps/search/?api=1&query=${part.degreesLatitude},${part.degreesLongitude}`];
    out = { content: lines.filter(Boolean).join('\n') };
  } else if (type === 'contactMessage') out = { content: `*Contact:* ${str(part.displayName)}\n${phonesOf(str(part.vcard)).join('\n')}`.trim() };
  else if (type === 'contactsArrayMessage') out = { content: ((part.contacts ?? []) as Part[]).map((c) => `*Contact:* ${str(c.displayName)}\n${phonesOf(str(c.vcard)).join('\n')}`).join('\n\n') };
  else if (type === 'reactionMessage' || type === 'protocolMessage' || type === 'pollUpdateMessage' || type === 'senderKeyDistributionMessage') return undefined;
  else if (type === 'pollCreationMessage' || type === 'pollCreationMessageV3') out = { content: `*Poll:* ${str(part.name)}\n${((part.options ?? []) as Part[]).map((o) => `- ${str(o.optionName)}`).join('\n')}` };
  else out = { content: `[${type}]` };
  if (!out.content && !out.media) return undefined;
  return withGroupAuthor(m, out);
}

/** In groups, who wrote it goes first (Chatwoot's contact is the group). */
function withGroupAuthor(m: MessageRecord, out: Rendered): Rendered {
  if (!isGroupJid(m.key.remoteJid) || m.key.fromMe || !m.key.participant) return out;
  const who = `**+${jidUser(m.key.participant)}${m.pushName ? ` - ${m.pushName}` : ''}:**`;
  return { ...out, content: out.content ? `${who}\n\n${out.content}` : who };
}

function phonesOf(vcard: string): string[] {
  return [...vcard.matchAll(/TEL[^:]*:([+\d\s()-]+)/g)].map((x) => x[1]!.trim());
}

/** Chatwoot's `source_id` for a message that came from WhatsApp: how both sides recognise it later. */
export const sourceIdOf = (keyId: string): string => `WAID:${keyId}`;

/** The chat's JID as Chatwoot knows it: the phone JID of a LID-addressed chat when the key carries it. */
export function chatJidOf(m: MessageRecord): string {
  return m.key.remoteJid.endsWith('@lid') && m.key.remoteJidAlt ? m.key.remoteJidAlt : m.key.remoteJid;
}
