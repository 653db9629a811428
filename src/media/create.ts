import { dirname, join } from 'node:path';
import type { ResolvedConfig } from '../gateway.js';
import { HttpMediaLoader } from './loader.js';
import { MediaService } from './service.js';
import { createMediaStore, UrlSigner } from './store/index.js';

/** The media service from the configuration: the store directory defaults to `media/` beside the SQLite file. */
export function createMediaService(config: ResolvedConfig): MediaService {
  const { media, database } = config;
  const sqliteFile = database.provider === 'sqlite' && database.uri !== ':memory:' ? database.uri.replace(/^(sqlite|file):(\/\/)?/, '') : undefined;
  const dir = media.dir ?? (sqliteFile ? join(dirname(sqliteFile), 'media') : './data/media');
  const signer = new UrlSigner(config.auth.encryptionKey);
  const loader = new HttpMediaLoader({ allowPrivate: media.allowPrivateUrls, maxBytes: media.maxBytes, timeoutMs: media.downloadTimeoutMs });
  return new MediaService(loader, createMediaStore(media, dir, signer, config.server.url), signer, media.maxBytes);
}
