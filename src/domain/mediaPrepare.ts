import type { MediaSource } from '../channels/content.js';
import type { MediaService } from '../media/service.js';
import type { LoadedMedia } from '../media/types.js';
import { imageInfo } from '../media/convert/image.js';
import { toMp4Video, videoInfo } from '../media/convert/video.js';
import { audioSeconds, toVoiceNote, VOICE_NOTE_MIMETYPE } from '../media/convert/audio.js';
import { toStickerWebp } from '../media/convert/sticker.js';
import { badRequest } from './errors.js';

/** How media is sent: what it is converted to and which preview fields it gets. */
export type MediaRole = 'image' | 'video' | 'audio' | 'document' | 'voice' | 'voiceAsIs' | 'ptv' | 'sticker' | 'stickerAsIs';

/**
 * Turns loaded media into what is sent: converted where WhatsApp needs it (voice notes to OGG/Opus, stickers to WebP,
 * round videos to MP4), with dimensions, duration and a thumbnail, and kept in the media store.
 */
export async function prepareMedia(media: MediaService, instanceId: string, loaded: LoadedMedia, role: MediaRole): Promise<{ source: MediaSource; data: Buffer }> {
  let data = loaded.data;
  let mimetype = loaded.mimetype;
  const extra: Partial<MediaSource> = {};
  try {
    switch (role) {
      case 'image': {
        const info = await imageInfo(data);
        if (info.width) Object.assign(extra, { width: info.width, height: info.height });
        if (info.jpegThumbnail) extra.jpegThumbnail = info.jpegThumbnail.toString('base64');
        break;
      }
      case 'ptv':
      case 'video': {
        if (role === 'ptv') {
          data = await toMp4Video(data, mimetype);
          mimetype = 'video/mp4';
        }
        const info = await videoInfo(data, mimetype);
        if (info.width) Object.assign(extra, { width: info.width, height: info.height });
        if (info.seconds !== undefined) extra.seconds = info.seconds;
        if (info.jpegThumbnail) extra.jpegThumbnail = info.jpegThumbnail.toString('base64');
        break;
      }
      case 'voice': {
        const voice = await toVoiceNote(data, mimetype);
        data = voice.data;
        mimetype = VOICE_NOTE_MIMETYPE;
        if (voice.seconds !== undefined) extra.seconds = voice.seconds;
        if (voice.waveform) extra.waveform = voice.waveform.toString('base64');
        break;
      }
      case 'voiceAsIs':
      case 'audio': {
        const seconds = await audioSeconds(data, mimetype);
        if (seconds !== undefined) extra.seconds = seconds;
        break;
      }
      case 'sticker': {
        const sticker = await toStickerWebp(data);
        data = sticker.data;
        mimetype = 'image/webp';
        Object.assign(extra, { width: sticker.width, height: sticker.height });
        break;
      }
      case 'stickerAsIs':
      case 'document':
        break;
    }
  } catch (err) {
    throw badRequest(`The media could not be converted: ${(err as Error).message}`);
  }
  // The store keeps the bare type; the voice-note codec parameter stays on the message.
  const saved = await media.save(instanceId, data, mimetype.split(';')[0]!.trim());
  const source: MediaSource = { storageKey: saved.key, mimetype, fileLength: data.length, fileSha256: saved.sha256, mediaUrl: await media.url(saved.key), ...extra };
  return { source, data };
}
