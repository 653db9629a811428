import { join } from 'node:path';
import { ffmpegToFile, ffprobe, withTempInput } from './ffmpeg.js';
import { jpegThumbnailOf } from './image.js';
import { extensionOf } from '../mimetype.js';

export interface VideoInfo {
  width?: number;
  height?: number;
  seconds?: number;
  jpegThumbnail?: Buffer;
}

/** Dimensions, duration and a thumbnail of the first frame; what ffmpeg cannot read stays undefined. */
export async function videoInfo(data: Buffer, mimetype: string): Promise<VideoInfo> {
  return withTempInput(data, extensionOf(mimetype), async (input, dir) => {
    const probe = await ffprobe(input).catch(() => undefined);
    const frame = await ffmpegToFile(['-i', input, '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg'], join(dir, 'frame.jpg')).catch(() => undefined);
    return {
      ...(probe?.width ? { width: probe.width, height: probe.height } : {}),
      ...(probe?.durationSeconds !== undefined ? { seconds: Math.round(probe.durationSeconds) } : {}),
      ...(frame ? { jpegThumbnail: await jpegThumbnailOf(frame) } : {}),
    };
  });
}

/** PTV (round video notes) and other video sent as MP4 (H.264/AAC) when it is not MP4 already. */
export async function toMp4Video(data: Buffer, mimetype: string): Promise<Buffer> {
  if (mimetype === 'video/mp4') return data;
  return withTempInput(data, extensionOf(mimetype), (input, dir) =>
    ffmpegToFile(['-i', input, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-f', 'mp4'], join(dir, 'out.mp4')),
  );
}
