import { join } from 'node:path';
import { ffmpegToFile, ffprobe, withTempInput } from './ffmpeg.js';
import { extensionOf } from '../mimetype.js';

export const VOICE_NOTE_MIMETYPE = 'audio/ogg; codecs=opus';

const WAVEFORM_SAMPLES = 64;

/**
 * A voice note as WhatsApp plays it: Opus in OGG, mono, 48 kHz; with its duration in whole seconds and its waveform
 * (what the player draws).
 */
export async function toVoiceNote(data: Buffer, mimetype: string): Promise<{ data: Buffer; seconds?: number; waveform?: Buffer }> {
  return withTempInput(data, extensionOf(mimetype), async (input, dir) => {
    const out = await ffmpegToFile(['-i', input, '-vn', '-ac', '1', '-ar', '48000', '-c:a', 'libopus', '-b:a', '64k', '-application', 'voip', '-f', 'ogg'], join(dir, 'voice.ogg'));
    const probe = await ffprobe(join(dir, 'voice.ogg')).catch(() => undefined);
    const pcm = await ffmpegToFile(['-i', join(dir, 'voice.ogg'), '-ac', '1', '-ar', '8000', '-f', 's16le'], join(dir, 'voice.pcm')).catch(() => undefined);
    const waveform = pcm ? waveformOf(pcm) : undefined;
    return { data: out, ...(probe?.durationSeconds !== undefined ? { seconds: Math.round(probe.durationSeconds) } : {}), ...(waveform ? { waveform } : {}) };
  });
}

/**
 * WhatsApp's voice-note waveform from 16-bit mono PCM: 64 bytes, each the mean loudness of one 64th of the note,
 * 0-100 relative to the loudest (as the library computes it when its optional decoder is installed).
 */
export function waveformOf(pcm: Buffer): Buffer | undefined {
  const samples = Math.floor(pcm.length / 2);
  const block = Math.floor(samples / WAVEFORM_SAMPLES);
  if (block === 0) return undefined;
  const means: number[] = [];
  for (let i = 0; i < WAVEFORM_SAMPLES; i++) {
    let sum = 0;
    for (let j = 0; j < block; j++) sum += Math.abs(pcm.readInt16LE((i * block + j) * 2));
    means.push(sum / block);
  }
  const loudest = Math.max(...means);
  return Buffer.from(means.map((m) => (loudest > 0 ? Math.floor((100 * m) / loudest) : 0)));
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
