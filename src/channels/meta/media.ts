import type { MediaOps } from '../channel.js';
import type { MediaUpload, UploadedMedia } from '../operations/media.js';
import { FormData } from './graph.js';
import type { MetaChannel } from './channel.js';

/** Cloud API media: uploads to `/<phone number id>/media` (sent by id), downloads through the media id's short-lived URL. */
export class MetaMedia implements MediaOps {
  constructor(private readonly channel: MetaChannel) {}

  /** With WA_BUSINESS_MEDIA_UPLOAD=false nothing is uploaded: the message carries a link to the media store instead. */
  async upload(media: MediaUpload): Promise<UploadedMedia> {
    const { graph, config } = this.channel.deps;
    if (!config.uploadMedia) return {};
    const id = this.channel.phoneNumberId;
    const form = () => {
      const f = new FormData();
      f.set('messaging_product', 'whatsapp');
      f.set('type', media.mimetype);
      f.set('file', new Blob([new Uint8Array(media.data)], { type: media.mimetype }), 'file');
      return f;
    };
    const answer = await graph.multipart<{ id: string }>(this.channel.ctx.token!, `/${id}/media`, form, { queue: id });
    return { mediaId: answer.id };
  }

  async download(part: Record<string, unknown>): Promise<Buffer | undefined> {
    if (typeof part.mediaId !== 'string' || !part.mediaId) return undefined;
    const info = await this.channel.call<{ url?: string }>('GET', `/${encodeURIComponent(part.mediaId)}?phone_number_id=${this.channel.phoneNumberId}`);
    if (!info.url) return undefined;
    return this.channel.deps.graph.bytes(this.channel.ctx.token!, info.url);
  }
}
