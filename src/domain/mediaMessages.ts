import type { Gateway } from '../gateway.js';
import type { MediaSource, OutboundContent } from '../channels/content.js';
import type { CommonSendInput } from './messages.js';
import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';
import type { MediaInput } from '../media/types.js';
import { optionalOperations } from './capabilities.js';
import { badRequest } from './errors.js';
import { prepareMedia, type MediaRole } from './mediaPrepare.js';
import { extensionOf } from '../media/mimetype.js';
import { mediaInputOf } from '../media/loader.js';

/** A file sent as multipart `file`. */
export interface UploadedFile {
  data: Buffer;
  fileName?: string;
  mimetype?: string;
}

export interface SendMediaInput extends CommonSendInput {
  mediatype: 'image' | 'document' | 'video' | 'audio';
  media?: string;
  mimetype?: string;
  caption?: string;
  fileName?: string;
}

export interface SendStatusInput {
  type: 'text' | 'image' | 'audio' | 'video';
  content?: string;
  caption?: string;
  backgroundColor?: string;
  font?: number;
  statusJidList?: string[];
  allContacts?: boolean;
}

type SentView = Omit<StoredMessage, 'id'>;

const isUrl = (v: string) => /^https?:\/\//i.test(v.trim());

/** Sending media messages: load (URL, base64, upload), convert, store, upload to the platform, send. */
export class MediaMessageService {
  constructor(private readonly gw: Pick<Gateway, 'media' | 'messages' | 'instances' | 'repos'>) {}

  async sendMedia(live: LiveInstance, input: SendMediaInput, file?: UploadedFile): Promise<SentView> {
    const given = this.inputOf(input.media, file);
    if (input.mediatype === 'document' && 'base64' in given && !input.fileName) throw badRequest('For base64 the file name must be informed.');
    const role: MediaRole = input.mediatype;
    const { source, data } = await this.prepare(live, given, role, { mimetype: input.mimetype, fileName: input.fileName ?? file?.fileName });
    const fileName = input.fileName ?? file?.fileName ?? (input.media && isUrl(input.media) ? urlFileName(input.media) : undefined);
    let content: OutboundContent;
    if (input.mediatype === 'audio') content = { kind: 'audio', media: source, mimetype: source.mimetype, voiceNote: false };
    else if (input.mediatype === 'document') content = { kind: 'document', media: source, mimetype: source.mimetype, fileName: fileName ?? `file.${extensionOf(source.mimetype)}`, ...(input.caption ? { caption: input.caption } : {}) };
    else content = { kind: input.mediatype, media: source, mimetype: source.mimetype, ...(input.caption ? { caption: input.caption } : {}) };
    return this.send(live, input, content, data);
  }

  async sendPtv(live: LiveInstance, input: CommonSendInput & { video?: string }, file?: UploadedFile): Promise<SentView> {
    const { source, data } = await this.prepare(live, this.inputOf(input.video, file), 'ptv');
    return this.send(live, input, { kind: 'ptv', media: source }, data);
  }

  /** A voice note: converted to OGG/Opus unless `encoding: false`. */
  async sendWhatsAppAudio(live: LiveInstance, input: CommonSendInput & { audio?: string; encoding?: boolean }, file?: UploadedFile): Promise<SentView> {
    const { source, data } = await this.prepare(live, this.inputOf(input.audio, file), input.encoding === false ? 'voiceAsIs' : 'voice');
    return this.send(live, input, { kind: 'audio', media: source, mimetype: source.mimetype, voiceNote: true }, data);
  }

  async sendSticker(live: LiveInstance, input: CommonSendInput & { sticker?: string; notConvertSticker?: boolean }, file?: UploadedFile): Promise<SentView> {
    const given = this.inputOf(input.sticker, file);
    const probe = input.notConvertSticker ? await this.gw.media.load(given, { instanceId: live.id }) : undefined;
    const role: MediaRole = probe?.mimetype === 'image/webp' ? 'stickerAsIs' : 'sticker';
    const { source, data } = await this.prepare(live, probe ? { file: { data: probe.data, mimetype: probe.mimetype } } : given, role);
    return this.send(live, input, { kind: 'sticker', media: source }, data);
  }

  /** A status post to status@broadcast, seen by `statusJidList` (or every contact with `allContacts`). */
  async sendStatus(live: LiveInstance, input: SendStatusInput, file?: UploadedFile): Promise<SentView> {
    const statusJidList = input.allContacts ? (await this.gw.repos.contacts.find(live.id)).map((c) => c.remoteJid).filter((j) => j.endsWith('@s.whatsapp.net')) : (input.statusJidList ?? []);
    if (!input.allContacts && !statusJidList.length) throw badRequest('StatusJidList is required');
    const common: CommonSendInput = { number: 'status@broadcast' };
    const base = { kind: 'status' as const, type: input.type, content: input.content ?? '', statusJidList, ...(input.caption ? { caption: input.caption } : {}) };
    if (input.type === 'text') {
      if (!input.content?.trim()) throw badRequest('Content is required');
      return this.gw.messages.send(live, common, { ...base, ...(input.backgroundColor ? { backgroundColor: input.backgroundColor } : {}), ...(input.font !== undefined ? { font: input.font } : {}) });
    }
    const role: MediaRole = input.type === 'audio' ? 'voice' : input.type;
    const { source, data } = await this.prepare(live, this.inputOf(input.content, file), role);
    return this.send(live, common, { ...base, media: source }, data);
  }

  private inputOf(value: string | undefined, file: UploadedFile | undefined): MediaInput {
    if (file) return { file };
    return mediaInputOf(value ?? '');
  }

  /** Loads, converts and stores the media, then uploads it to the platform when the channel has an upload step. */
  private async prepare(live: LiveInstance, given: MediaInput, role: MediaRole, hints: { mimetype?: string; fileName?: string } = {}): Promise<{ source: MediaSource; data: Buffer }> {
    const loaded = await this.gw.media.load(given, { instanceId: live.id, ...(hints.mimetype ? { mimetype: hints.mimetype } : {}), ...(hints.fileName ? { fileName: hints.fileName } : {}) });
    const prepared = await prepareMedia(this.gw.media, live.id, loaded, role);
    const ops = optionalOperations(live, 'media');
    if (ops?.upload) {
      const uploaded = await this.gw.instances.channelCall(() => ops.upload!({ data: prepared.data, mimetype: prepared.source.mimetype, fileSha256: prepared.source.fileSha256 }));
      Object.assign(prepared.source, uploaded);
    }
    return prepared;
  }

  /** Sends, then answers with the stored record; with the media's base64 when the instance webhook asks for base64. */
  private async send(live: LiveInstance, input: CommonSendInput, content: OutboundContent, data: Buffer): Promise<SentView> {
    const view = await this.gw.messages.send(live, input, content);
    if (!live.webhook?.webhookBase64) return view;
    return { ...view, message: { ...view.message, base64: data.toString('base64') } };
  }
}

function urlFileName(url: string): string | undefined {
  try {
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    return name.includes('.') ? name : undefined;
  } catch {
    return undefined;
  }
}
