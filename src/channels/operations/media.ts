/** Bytes to upload to the platform's media servers before a media message goes out. */
export interface MediaUpload {
  data: Buffer;
  mimetype: string;
  /** SHA-256 of the bytes, base64 (the platform checks what it stores against it). */
  fileSha256: string;
}

/**
 * Where the platform keeps uploaded media: what the media message carries so its recipient can download it.
 * WhatsApp Web's servers give url, directPath and mediaKey; the Cloud API gives a media id.
 */
export interface UploadedMedia {
  url?: string;
  directPath?: string;
  /** The key the bytes are encrypted with on WhatsApp's servers, base64. */
  mediaKey?: string;
  /** The Cloud API's id of the uploaded media (sent as `{id}`). */
  mediaId?: string;
}

/** Media on the platform's servers: uploading what is sent, downloading what was received. */
export interface MediaOps {
  /** Absent where the channel's library encrypts and uploads media itself as it sends (Baileys). */
  upload?(media: MediaUpload): Promise<UploadedMedia>;
  /**
   * The bytes of a received media message part (`message.imageMessage` and the like, with its url/directPath);
   * undefined when the platform no longer has them. `messageType` (imageMessage, documentMessage...) says how the
   * bytes were encrypted, where the platform encrypts media by kind.
   */
  download(part: Record<string, unknown>, messageType?: string): Promise<Buffer | undefined>;
}
