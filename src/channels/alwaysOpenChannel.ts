import type { ConnectionState } from '../domain/types.js';
import type { ChannelContext, QrCode } from './channel.js';
import type { ChannelEvent } from './events.js';

/**
 * What the channels without a login share (the Cloud API, the generic Evolution channel): open once they exist, no QR,
 * nothing held open; logging out forgets the saved credentials.
 */
export abstract class AlwaysOpenChannel {
  protected _state: ConnectionState = 'open';

  constructor(readonly ctx: ChannelContext) {}

  get state(): ConnectionState {
    return this._state;
  }

  currentQr(): QrCode | null {
    return null;
  }

  async logout(): Promise<void> {
    this._state = 'close';
    this.report({ type: 'credentials', state: null });
  }

  async close(): Promise<void> {
    /* nothing held open */
  }

  protected report(...events: ChannelEvent[]): void {
    this.ctx.listener.deliver(events).catch(() => undefined);
  }
}
