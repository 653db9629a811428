import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';

/**
 * The ingest path's media step. Rows hold a reference to the media store (`message.mediaUrl`, the Media row), never
 * the bytes; base64 for webhooks that ask for it is read from the store when the event is built.
 */
export interface MediaFetcher {
  /**
   * Before a message is stored: received media is downloaded from the network into the store, sent media is found
   * there (it was stored before sending); either way `message.mediaUrl` is set and the Media row recorded.
   * Never throws: media that cannot be kept leaves the message without mediaUrl.
   */
  keep(live: LiveInstance, stored: StoredMessage, direction: 'sent' | 'received'): Promise<void>;
  /** The media of a kept message as base64, or undefined. */
  base64Of(live: LiveInstance, stored: StoredMessage): Promise<string | undefined>;
}
