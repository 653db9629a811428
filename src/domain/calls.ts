import type { InstanceService } from './instances.js';
import type { LiveInstance } from './registry.js';
import { operations } from './capabilities.js';
import { toJid } from './jid.js';

/** Placing calls. Upstream answers a fixed stub id; this answers the id of the call that really rings. */
export class CallService {
  constructor(private readonly instances: InstanceService) {}

  async offer(live: LiveInstance, input: { number: string; isVideo?: boolean; callDuration: number }) {
    const ops = operations(live, 'calls');
    const jid = toJid(input.number);
    const isVideo = input.isVideo ?? false;
    const { id } = await this.instances.channelCall(() => ops.offer(jid, isVideo, input.callDuration));
    return { id, jid, isVideo, callDuration: input.callDuration };
  }
}
