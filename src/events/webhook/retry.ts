import type { Config } from '../../config.js';
import type { RetryPolicy as BackoffPolicy } from '../outbox/transport.js';

export type RetryPolicy = Config['webhook']['retry'];

/** Delay before the next attempt, after `attempts` failed ones (upstream formula: exponential, capped, ± jitter, floored at the initial delay). */
export function retryDelayMs(policy: BackoffPolicy, attempts: number, random = Math.random): number {
  const initial = policy.initialDelaySeconds;
  const base = policy.useExponentialBackoff ? Math.min(initial * 2 ** (attempts - 1), policy.maxDelaySeconds) : initial;
  const jitter = base * policy.jitterFactor * (random() * 2 - 1);
  return Math.max(initial, base + jitter) * 1000;
}

export function isRetryable(policy: RetryPolicy, status: number | undefined): boolean {
  if (status === undefined) return true;
  return !policy.nonRetryableStatusCodes.includes(status);
}
