/**
 * JSON for stored state that holds binary keys: Buffers and Uint8Arrays are written as {"$bin":"<base64>"} and read back as
 * Buffers. Plain JSON (no markers) reads as before; {type:'Buffer',data:[...]} (what JSON.stringify makes of a Buffer) reads as a Buffer.
 */
export function serialize(value: unknown): string {
  return JSON.stringify(value, binaryReplacer);
}

export function deserialize<T = unknown>(text: string): T {
  return JSON.parse(text, binaryReviver) as T;
}

function binaryReplacer(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls Buffer#toJSON before the replacer runs: the untouched value is still on the holder.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Uint8Array) return { $bin: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
  if (isBufferJson(value)) return { $bin: Buffer.from(value.data).toString('base64') };
  return value;
}

function binaryReviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const bin = (value as { $bin?: unknown }).$bin;
  if (keys.length === 1 && typeof bin === 'string') return Buffer.from(bin, 'base64');
  if (isBufferJson(value)) return Buffer.from(value.data);
  return value;
}

function isBufferJson(value: unknown): value is { type: 'Buffer'; data: number[] } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; data?: unknown };
  return v.type === 'Buffer' && Array.isArray(v.data) && Object.keys(v).length === 2;
}
