import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a command and resolves with its stdout; rejects with the tail of stderr when it fails or outlives `timeoutMs`. */
export function run(cmd: string, args: string[], timeoutMs = 120_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${cmd} failed (${signal ?? code}): ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/**
 * Gives `work` a temporary directory holding the input as a file (ffmpeg needs to seek in MP4 and the like);
 * the directory is removed afterwards, whatever happens.
 */
export async function withTempInput<T>(data: Buffer, ext: string, work: (input: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gw-media-'));
  try {
    const input = join(dir, `input.${ext}`);
    await writeFile(input, data);
    return await work(input, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function ffmpegToFile(args: string[], output: string): Promise<Buffer> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, output]);
  return readFile(output);
}

export interface Probe {
  durationSeconds?: number;
  width?: number;
  height?: number;
  audioCodec?: string;
  videoCodec?: string;
  format?: string;
}

export async function ffprobe(file: string): Promise<Probe> {
  const out = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file], 30_000);
  const j = JSON.parse(out.toString()) as { format?: { duration?: string; format_name?: string }; streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }> };
  const video = j.streams?.find((s) => s.codec_type === 'video');
  const audio = j.streams?.find((s) => s.codec_type === 'audio');
  const duration = Number(j.format?.duration ?? video?.duration ?? audio?.duration);
  return {
    ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}),
    ...(video?.width ? { width: video.width, height: video.height } : {}),
    ...(audio?.codec_name ? { audioCodec: audio.codec_name } : {}),
    ...(video?.codec_name ? { videoCodec: video.codec_name } : {}),
    ...(j.format?.format_name ? { format: j.format.format_name } : {}),
  };
}
