import type { Logger } from 'pino';
import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';

/**
 * Where a committed message came from: a contact (`received`), the phone's owner on the phone or another device
 * (`phone`), or a send through the API, bot answers included (`api`).
 */
export type MessageOrigin = 'received' | 'phone' | 'api';

export interface CommittedMessage {
  message: StoredMessage;
  origin: MessageOrigin;
}

/**
 * Something that acts on live messages once they are stored (chatbots, Chatwoot): called after every commit with the
 * instance's new live messages in order (history syncs are not live). It must return quickly and do its work on its
 * own time; what it throws is logged and never reaches the ingest path.
 */
export interface InboundHook {
  name: string;
  committed(live: LiveInstance, messages: CommittedMessage[]): void;
}

/** The hooks of the gateway. */
export class InboundHooks {
  private readonly hooks: InboundHook[] = [];

  constructor(private readonly logger?: Logger) {}

  /** Adds a hook; returns its removal. */
  add(hook: InboundHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  run(live: LiveInstance, messages: CommittedMessage[]): void {
    if (!messages.length) return;
    for (const hook of this.hooks) {
      try {
        hook.committed(live, messages);
      } catch (err) {
        this.logger?.error({ err, hook: hook.name, instance: live.name }, 'inbound hook failed');
      }
    }
  }
}
