import { NOISE_WA_HEADER } from 'baileys';

/**
 * Splits the client's byte stream into frames: the very first bytes carry the `WA` 6 3
 * intro header, then every frame is a 3-byte big-endian length and that many bytes.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private sawHeader = false;

  /** Appends `data`; returns the complete frames it finished. Throws on a wrong intro header. */
  push(data: Buffer): Buffer[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, data]) : data;
    if (!this.sawHeader) {
      if (this.buffer.length < NOISE_WA_HEADER.length) return [];
      const header = this.buffer.subarray(0, NOISE_WA_HEADER.length);
      if (!header.equals(NOISE_WA_HEADER)) throw new Error(`bad intro header ${header.toString('hex')}`);
      this.buffer = this.buffer.subarray(NOISE_WA_HEADER.length);
      this.sawHeader = true;
    }
    const frames: Buffer[] = [];
    while (this.buffer.length >= 3) {
      const size = (this.buffer[0]! << 16) | (this.buffer[1]! << 8) | this.buffer[2]!;
      if (this.buffer.length < size + 3) break;
      frames.push(Buffer.from(this.buffer.subarray(3, size + 3)));
      this.buffer = this.buffer.subarray(size + 3);
    }
    return frames;
  }
}

/** Prefixes `data` with its 3-byte length (the server sends no intro header). */
export const frame = (data: Uint8Array): Buffer => {
  const out = Buffer.allocUnsafe(data.byteLength + 3);
  out[0] = (data.byteLength >>> 16) & 0xff;
  out[1] = (data.byteLength >>> 8) & 0xff;
  out[2] = data.byteLength & 0xff;
  out.set(data, 3);
  return out;
};
