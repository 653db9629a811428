import { proto } from 'baileys';

/** protobuf.js conversion: bytes as base64, 64-bit numbers as numbers, enums by name, unset fields left out. */
const AS_JSON = { bytes: String, longs: Number, enums: String, defaults: false } as const;

/** The library's message content (protobuf objects, Uint8Arrays, Longs) as the JSON the gateway stores and sends. */
export function messageToJson(message: proto.IMessage): Record<string, unknown> {
  return proto.Message.toObject(proto.Message.fromObject(message), AS_JSON) as Record<string, unknown>;
}

/** Stored JSON (base64 bytes, enum names) back to the library's message. */
export function messageFromJson(json: Record<string, unknown>): proto.Message {
  return proto.Message.fromObject(json);
}

/** Any protobuf-ish value (call offers, history chats) as plain JSON: Uint8Arrays to base64, Longs to numbers. */
export function plainJson<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
      const raw = this[key];
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
      if (raw && typeof raw === 'object' && 'low' in raw && 'high' in raw && typeof (raw as { toNumber?: unknown }).toNumber === 'function') return (raw as unknown as { toNumber(): number }).toNumber();
      return v;
    }),
  ) as T;
}
