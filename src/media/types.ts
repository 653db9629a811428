/** Media a client gives: a URL to fetch, base64 (plain or a data URI), or uploaded bytes (multipart `file`). */
export type MediaInput = { url: string } | { base64: string } | { file: { data: Buffer; fileName?: string; mimetype?: string } };

/** Media read into memory, with the mimetype read from its content. */
export interface LoadedMedia {
  data: Buffer;
  mimetype: string;
  size: number;
  fileName?: string;
}

export interface MediaLoadOptions {
  maxBytes?: number;
  /** The instance the media is for (its proxy, if one is set, carries the download). */
  instanceId?: string;
  /** The mimetype the client gave: used only when the content has no signature (text and the like). */
  mimetype?: string;
  fileName?: string;
}

/** Loads client-given media through the address guard, with a size limit and a timeout. */
export interface MediaLoader {
  /**
   * A string is a URL (http/https) or base64; anything else is refused with a 400 in upstream's shape.
   * Too large → 413; a source that does not answer in time → 400; a refused address → 400.
   */
  load(input: string | MediaInput, options?: MediaLoadOptions): Promise<LoadedMedia>;
}
