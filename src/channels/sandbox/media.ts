import type { MediaOps } from '../channel.js';
import type { MediaUpload, UploadedMedia } from '../operations/media.js';
import type { SandboxChannel } from './channel.js';

/** A sandbox phone's media: uploads go to the network's vault, downloads come from it. */
export class SandboxMedia implements MediaOps {
  constructor(private readonly phone: SandboxChannel) {}

  async upload(media: MediaUpload): Promise<UploadedMedia> {
    this.phone.assertOpen();
    return this.phone.opts.network.vault.upload(media.data, media.mimetype);
  }

  async download(part: Record<string, unknown>): Promise<Buffer | undefined> {
    const where = typeof part.directPath === 'string' ? part.directPath : typeof part.url === 'string' ? part.url : undefined;
    if (!where) return undefined;
    return this.phone.opts.network.vault.download(where, typeof part.fileSha256 === 'string' ? part.fileSha256 : undefined);
  }
}
