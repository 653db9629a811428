import type { AnyMessageContent, MiscMessageGenerationOptions, WAMessage, WAMessageKey } from 'baileys';
import type { MediaSource, Outbound } from '../content.js';
import { ChannelError } from '../errors.js';
import { toWhatsAppMessage } from '../whatsapp/wire.js';
import { messageFromJson } from './protoJson.js';

/** Reads the bytes of media kept in the gateway's media store. */
export type MediaBytes = (source: MediaSource) => Promise<Buffer>;

/** What the library sends: content it builds (and encrypts and uploads media for), or a message relayed as built here. */
export type BaileysSend =
  | { type: 'content'; content: AnyMessageContent; options: MiscMessageGenerationOptions }
  /** Kinds the library has no builder for (lists, native-flow buttons): the wire JSON as a proto message. */
  | { type: 'relay'; message: ReturnType<typeof messageFromJson>; attrs?: Record<string, string> };

/** One Outbound in the library's terms. */
export async function toBaileysSend(out: Outbound, bytes: MediaBytes): Promise<BaileysSend> {
  const o = out.options;
  const options: MiscMessageGenerationOptions = {
    ...(o.keyId ? { messageId: o.keyId } : {}),
    ...(o.quoted ? { quoted: { key: { remoteJid: o.quoted.key.remoteJid ?? out.remoteJid, fromMe: o.quoted.key.fromMe ?? false, id: o.quoted.key.id, ...(o.quoted.key.participant ? { participant: o.quoted.key.participant } : {}) }, message: messageFromJson(o.quoted.message) } as WAMessage } : {}),
  };
  const mentions = o.mentions?.length ? { mentions: o.mentions } : {};
  const c = out.content;
  const content = async (): Promise<AnyMessageContent | undefined> => {
    switch (c.kind) {
      case 'text':
        return { text: c.text, ...mentions, ...(o.linkPreview === false ? { linkPreview: null } : {}) };
      case 'image':
        return { image: await bytes(c.media), mimetype: c.mimetype ?? c.media.mimetype, ...caption(c.caption), ...thumb(c.media), ...dims(c.media), ...mentions };
      case 'video':
        return { video: await bytes(c.media), mimetype: c.mimetype ?? c.media.mimetype, ...caption(c.caption), ...thumb(c.media), ...dims(c.media), ...mentions };
      case 'document':
        return { document: await bytes(c.media), mimetype: c.mimetype ?? c.media.mimetype, fileName: c.fileName ?? 'file', ...caption(c.caption), ...mentions };
      case 'audio':
        // A voice note is OGG/Opus with its waveform (the media pipeline converted it and drew it with ffmpeg: the
        // library's own waveform needs the optional audio-decode package, which is not installed).
        return { audio: await bytes(c.media), mimetype: c.voiceNote ? 'audio/ogg; codecs=opus' : (c.mimetype ?? c.media.mimetype), ptt: c.voiceNote, ...(c.media.seconds !== undefined ? { seconds: c.media.seconds } : {}), ...(c.voiceNote && c.media.waveform ? { waveform: Buffer.from(c.media.waveform, 'base64') } : {}) };
      case 'ptv':
        return { video: await bytes(c.media), mimetype: 'video/mp4', ptv: true, ...thumb(c.media), ...dims(c.media) };
      case 'sticker':
        return { sticker: await bytes(c.media), mimetype: 'image/webp', ...dims(c.media) };
      case 'location':
        return { location: { degreesLatitude: c.latitude, degreesLongitude: c.longitude, ...(c.name ? { name: c.name } : {}), ...(c.address ? { address: c.address } : {}) } };
      case 'contacts': {
        const wire = toWhatsAppMessage(out) as { contactMessage?: { displayName: string; vcard: string }; contactsArrayMessage?: { displayName: string; contacts: Array<{ displayName: string; vcard: string }> } };
        const cards = wire.contactMessage ? [wire.contactMessage] : (wire.contactsArrayMessage?.contacts ?? []);
        return { contacts: { displayName: wire.contactMessage?.displayName ?? wire.contactsArrayMessage?.displayName ?? '', contacts: cards } };
      }
      case 'reaction':
        return { react: { key: key(c.key), text: c.emoji } };
      case 'poll':
        // Relayed as wire.ts builds it (pollCreationMessage with its secret); the library would pick a V2/V3 variant.
        return undefined;
      case 'edit':
        // A caption edit has no builder in the library: it is relayed as wire.ts builds it, marked as an edit.
        if (c.media) return undefined;
        return { text: c.text, edit: key(c.key) };
      case 'delete':
        return { delete: key(c.key) };
      case 'status':
        if (c.type === 'text') return { text: c.content };
        if (!c.media) throw new ChannelError('A media status needs its media');
        if (c.type === 'image') return { image: await bytes(c.media), ...caption(c.caption) };
        if (c.type === 'video') return { video: await bytes(c.media), ...caption(c.caption) };
        return { audio: await bytes(c.media), mimetype: 'audio/ogg; codecs=opus', ptt: true };
      default:
        return undefined;
    }
  };
  const built = await content();
  if (built) {
    if (c.kind === 'status') Object.assign(options, { statusJidList: c.statusJidList, ...(c.backgroundColor ? { backgroundColor: c.backgroundColor } : {}), ...(c.font !== undefined ? { font: c.font } : {}), broadcast: true });
    return { type: 'content', content: built, options };
  }
  return { type: 'relay', message: messageFromJson(toWhatsAppMessage(out)), ...(c.kind === 'edit' ? { attrs: { edit: '1' } } : {}) };
}

const caption = (text: string | undefined) => (text ? { caption: text } : {});
const thumb = (m: MediaSource) => (m.jpegThumbnail ? { jpegThumbnail: m.jpegThumbnail } : {});
const dims = (m: MediaSource) => (m.width && m.height ? { width: m.width, height: m.height } : {});
const key = (k: { remoteJid: string; fromMe: boolean; id: string; participant?: string }): WAMessageKey => ({ remoteJid: k.remoteJid, fromMe: k.fromMe, id: k.id, ...(k.participant ? { participant: k.participant } : {}) });
