/**
 * Media bytes in webhook bodies: an event carries a reference to the media store instead of base64, so neither the
 * outbox row nor the event in memory holds the bytes; the delivery inlines them when it sends.
 */
const PREFIX = '\u0000media-ref:';
/** How the reference looks inside a JSON body (JSON.stringify escapes the NUL that no real base64 contains). */
const IN_JSON = /"\\u0000media-ref:([^"\\]+)"/g;

export const mediaRef = (storageKey: string): string => `${PREFIX}${storageKey}`;

export const hasMediaRefs = (body: string): boolean => body.includes('"\\u0000media-ref:');

export type MediaReader = (storageKey: string) => Promise<Buffer | undefined>;

/** The body with each reference replaced by the media's base64 (null when the store no longer has it). */
export async function inlineMediaRefs(body: string, read: MediaReader): Promise<string> {
  const keys = [...new Set([...body.matchAll(IN_JSON)].map((m) => m[1]!))];
  const bytes = new Map(await Promise.all(keys.map(async (k) => [k, await read(k).catch(() => undefined)] as const)));
  return body.replace(IN_JSON, (_whole, key: string) => {
    const data = bytes.get(key);
    return data ? `"${data.toString('base64')}"` : 'null';
  });
}
