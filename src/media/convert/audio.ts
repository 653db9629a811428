import { join } from 'node:path';
import { ffmpegToFile, ffprobe, withTempInput } from './ffmpeg.js';
import { extensionOf } from '../mimetype.js';

export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus';

/** A voice note as WhatsApp plays it: Opus in OGG, mono, 48 kHz; with its duration in whole seconds. */
export async function toVoiceNote(data: Buffer, mimetype: string): Promise<{ data: Buffer; seconds?: number }> {
  return withTempInput(data, extensionOf(mimetype), async (input, dir) => {
    const out = await ffmpegToFile(['-i', input, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '64k', '-application', 'voip', '-f', 'ogg'], join(dir, 'voice.ogg'));
    const probe = await ffprobe(join(dir, 'voice.ogg')).catch(() => undefined);
    return { data: out, ...(probe?.durationSeconds !== undefined ? { seconds: Math.round(probe.durationSeconds) } : {}) };
  });
}

/** The duration of audio in whole seconds, when ffprobe can read it. */
export async function audioSeconds(data: Buffer, mimetype: string): Promise<number | undefined> {
  return withTempInput(data, extensionOf(mimetype), async (input) => {
    const probe = await ffprobe(input).catch(() => undefined);
    return probe?.durationSeconds !== undefined ? Math.round(probe.durationSeconds) : undefined;
  });
}

/** Audio as MP4/AAC (getBase64FromMediaMessage with convertToMp4). */
export async function audioToMp4(data: Buffer, mimetype: string): Promise<Buffer> {
  return withTempInput(data, extensionOf(mimetype), (input, dir) => ffmpegToFile(['-i', input, '-vn', '-c:a', 'aac', '-b:a', '128k', '-f', 'mp4'], join(dir, 'audio.mp4')));
}
