import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';

/**
 * The ingest path's media step. Rows hold a reference to the media store (`message.mediaUrl`, the Media row), never
 * the bytes; for webhooks that ask for base64, events carry a reference the delivery inlines (media/inline.ts).
 */
export interface MediaFetcher {
  /**
   * Before a message is stored: received media is downloaded from the network into the store, sent media is found
   * there (it was stored before sending); either way `message.mediaUrl` is set and the Media row recorded.
   * Resolves with the media's storage key. Never throws: media that cannot be kept leaves the message without mediaUrl.
   */
  keep(live: LiveInstance, stored: StoredMessage, direction: 'sent' | 'received'): Promise<string | undefined>;
}
