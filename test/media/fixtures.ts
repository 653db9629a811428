import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export interface Fixtures {
  jpeg: Buffer;
  png: Buffer;
  gif: Buffer;
  mp4: Buffer;
  wav: Buffer;
  text: Buffer;
}

function ffmpeg(args: string[], ext: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'fixture-'));
  try {
    const out = join(dir, `out.${ext}`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args, out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Small real media files, made on the spot. */
export async function makeFixtures(): Promise<Fixtures> {
  const frame = (color: string) => sharp({ create: { width: 64, height: 48, channels: 3, background: color } });
  const gifFrames = await Promise.all(['#f00', '#0f0'].map((c) => frame(c).png().toBuffer()));
  const gif = await sharp(gifFrames, { join: { animated: true } }).gif({ delay: [100, 100] }).toBuffer();
  return {
    jpeg: await frame('#3366cc').jpeg().toBuffer(),
    png: await frame('#ffaa00').png().toBuffer(),
    gif,
    mp4: ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-t', '2', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-c:a', 'aac', '-shortest'], 'mp4'),
    wav: ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'pcm_s16le'], 'wav'),
    text: Buffer.from('name,value\nalpha,1\nbeta,2\n'),
  };
}

/** ffprobe of bytes: format name and first audio/video codec. */
export function probe(data: Buffer): { format: string; audio?: string; video?: string; duration: number } {
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  try {
    const file = join(dir, 'in');
    writeFileSync(file, data);
    const j = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]).toString());
    return { format: j.format.format_name, audio: j.streams.find((s: any) => s.codec_type === 'audio')?.codec_name, video: j.streams.find((s: any) => s.codec_type === 'video')?.codec_name, duration: Number(j.format.duration) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A local HTTP server that serves the given files by path; `closeEach`: a connection per request (to count tunnels). */
export async function serveFiles(files: Record<string, { data: Buffer; type: string }>, closeEach = false): Promise<{ url: string; close(): Promise<void>; server: Server }> {
  const server = createServer((req, res) => {
    const f = files[new URL(req.url!, 'http://x').pathname];
    if (!f) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f.type, 'content-length': f.data.length, ...(closeEach ? { connection: 'close' } : {}) }).end(f.data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
