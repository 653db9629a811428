import { fileTypeFromBuffer } from 'file-type';
import { extname } from 'node:path';

const BY_EXTENSION: Record<string, string> = {
  '.txt': 'text/plain', '.csv': 'text/csv', '.html': 'text/html', '.htm': 'text/html', '.json': 'application/json',
  '.xml': 'application/xml', '.svg': 'image/svg+xml', '.vcf': 'text/vcard', '.ics': 'text/calendar', '.md': 'text/markdown',
  '.js': 'text/javascript', '.css': 'text/css', '.mp3': 'audio/mpeg', '.ts': 'video/mp2t',
};

/**
 * The mimetype of media, read from its content. Only content without a signature (text and the like) falls back to
 * what the client said, then to the file name's extension, then to application/octet-stream.
 */
export async function detectMimetype(data: Buffer, given?: string, fileName?: string): Promise<{ mimetype: string; ext?: string }> {
  const detected = await fileTypeFromBuffer(data);
  if (detected) return { mimetype: detected.mime, ext: detected.ext };
  if (given && /^[\w.+-]+\/[\w.+-]+/.test(given)) return { mimetype: given };
  const ext = fileName ? extname(fileName).toLowerCase() : '';
  return { mimetype: BY_EXTENSION[ext] ?? 'application/octet-stream', ...(ext ? { ext: ext.slice(1) } : {}) };
}

const EXTENSION_OF: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'image/gif': 'gif', 'video/mp4': 'mp4', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'application/pdf': 'pdf', 'text/plain': 'txt' };

/** A file extension for a mimetype (for stored object names and default file names). */
export function extensionOf(mimetype: string): string {
  const base = mimetype.split(';')[0]!.trim();
  return EXTENSION_OF[base] ?? base.split('/')[1]?.replace(/[^\w]/g, '').slice(0, 10) ?? 'bin';
}
