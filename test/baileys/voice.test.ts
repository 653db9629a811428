import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe } from '../media/fixtures.js';
import { startBench, type BaileysBench } from './harness.js';

const PHONE = '15550001111';

/** A 2-second tone, encoded by ffmpeg as `ext` with `codec`. */
function tone(ext: string, codec: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'voice-'));
  try {
    const out = join(dir, `tone.${ext}`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-af', 'volume=enable=between(t\\,1\\,2):volume=0.1', '-c:a', codec, out]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('WHATSAPP-BAILEYS voice notes through the gateway, on the simulator', { timeout: 120_000 }, () => {
  let b: BaileysBench;
  let token: string;
  beforeAll(async () => {
    b = await startBench({}, undefined, { media: true });
    ({ token } = await b.link('voice', PHONE));
  });
  afterAll(async () => b?.stop());

  for (const [name, ext, codec, mimetype] of [
    ['an MP3', 'mp3', 'libmp3lame', 'audio/mpeg'],
    ['a WAV', 'wav', 'pcm_s16le', 'audio/wav'],
  ] as const) {
    it(`${name} sent with sendWhatsAppAudio reaches the contact as a PTT voice note in OGG/Opus`, async () => {
      const bob = b.messaging.contact(ext === 'mp3' ? '15550003333' : '15550004444', 'Bob');
      const input = tone(ext, codec);
      expect(probe(input).audio).not.toBe('opus');
      const sent = await b.server.call('POST', '/message/sendWhatsAppAudio/voice', { number: bob.phone, audio: `data:${mimetype};base64,${input.toString('base64')}` }, token);
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect(sent.body.messageType).toBe('audioMessage');
      const got = await bob.waitFor((m) => m.key.id === sent.body.key.id);
      const audio = got.message.audioMessage!;
      expect(audio).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus', seconds: 2 });
      const bytes = await b.messaging.media.download(got);
      expect(Number(audio.fileLength)).toBe(bytes.length);
      const probed = probe(bytes);
      expect(probed).toMatchObject({ format: 'ogg', audio: 'opus' });
      expect(probed.duration).toBeGreaterThan(1.8);
      expect(probed.duration).toBeLessThan(2.2);
      // The waveform the player draws: a loud first second, a quiet second one (a tenth of the volume).
      const waveform = [...(audio.waveform ?? [])];
      expect(waveform).toHaveLength(64);
      expect(Math.max(...waveform)).toBe(100);
      const mean = (l: number[]) => l.reduce((a, v) => a + v, 0) / l.length;
      expect(mean(waveform.slice(2, 30))).toBeGreaterThan(80);
      expect(mean(waveform.slice(34, 62))).toBeLessThan(20);
      const stored = await b.server.call('POST', '/chat/findMessages/voice', { where: { key: { id: sent.body.key.id } } }, token);
      expect(stored.body.messages.records[0].message.audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus', waveform: Buffer.from(waveform).toString('base64') });
      expect(b.messaging.media.server?.rejected ?? []).toEqual([]);
    });
  }
});
