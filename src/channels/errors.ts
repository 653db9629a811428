/** A channel refused an operation for a reason the client can act on (not connected, unknown message...). */
export class ChannelError extends Error {
  constructor(message: string, readonly code: 'NOT_CONNECTED' | 'NOT_FOUND' | 'INVALID' = 'INVALID') {
    super(message);
  }
}
