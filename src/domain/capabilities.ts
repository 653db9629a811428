import type { Capability } from '../channels/capabilities.js';
import { sendCapability } from '../channels/capabilities.js';
import type { ChannelOperations } from '../channels/channel.js';
import type { ContentKind } from '../channels/content.js';
import { ApiError } from './errors.js';
import type { LiveInstance } from './registry.js';

/** The error for an operation the instance's channel lacks: the driver's own (upstream's) where it has one, else 501. */
export function refusal(live: LiveInstance, capability: Capability): ApiError {
  return live.driver.refusal?.(capability) ?? new ApiError(501, [`"${capability}" is not available on the ${live.instance.integration} channel`]);
}

export function requireSend(live: LiveInstance, kind: ContentKind): void {
  if (!live.driver.capabilities.has(sendCapability(kind))) throw refusal(live, sendCapability(kind));
}

/** The channel's operations of one family, or the refusal when its driver does not declare them. */
export function operations<F extends keyof ChannelOperations>(live: LiveInstance, family: F): ChannelOperations[F] {
  const ops = live.channel[family];
  if (!ops || !live.driver.capabilities.has(family)) throw refusal(live, family);
  return ops as ChannelOperations[F];
}

/** The family's operations when the channel has them (optional side effects such as typing or auto-read). */
export function optionalOperations<F extends keyof ChannelOperations>(live: LiveInstance, family: F): ChannelOperations[F] | undefined {
  return live.driver.capabilities.has(family) ? (live.channel[family] as ChannelOperations[F] | undefined) : undefined;
}
