import type { Connection } from './connection.js';
import type { BinaryNode, DropReason } from './types.js';

/**
 * How each reason reaches `lastDisconnect.error.output.statusCode` in the library:
 * a `stream:error` with a `code` attribute is taken as is; `<conflict type="replaced"/>`
 * without a code maps to 440 (connectionReplaced); a stream error with neither maps to 500
 * (badSession); a socket the server closes is reported as 428 (connectionClosed).
 */
const streamErrors: Record<Exclude<DropReason, 428>, BinaryNode> = {
  401: { tag: 'stream:error', attrs: { code: '401' }, content: [{ tag: 'conflict', attrs: { type: 'device_removed' } }] },
  408: { tag: 'stream:error', attrs: { code: '408' } },
  440: { tag: 'stream:error', attrs: {}, content: [{ tag: 'conflict', attrs: { type: 'replaced' } }] },
  500: { tag: 'stream:error', attrs: {}, content: [{ tag: 'xml-not-well-formed', attrs: {} }] },
  515: { tag: 'stream:error', attrs: { code: '515' } },
};

/** Ends one connection so the client library reports `reason`. */
export const dropConnection = async (conn: Connection, reason: DropReason): Promise<void> => {
  if (reason === 428) {
    conn.close();
    return;
  }
  await sendStreamError(conn, streamErrors[reason]);
};

/** Sends a stream error and closes, as the real server does; the client closes first normally. */
export const sendStreamError = async (conn: Connection, node: BinaryNode): Promise<void> => {
  await conn.send(node);
  setTimeout(() => conn.close(), 1_000).unref();
};
