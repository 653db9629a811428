/** What the channel does after the socket closed, by the reason the library gives (seed 002's table). */
export type ReconnectAction =
  /** Credentials are void: clear them, close, tell the client (logout.instance). */
  | { type: 'loggedOut' }
  /** The keys are unusable: drop them and start a new login (a new QR). */
  | { type: 'newLogin' }
  /** Another client took the session: stay closed, with the reason. */
  | { type: 'stayClosed' }
  /** Reconnect after `delayMs` (0: at once). */
  | { type: 'reconnect'; delayMs: number }
  /** Too many failures in a row: stop trying and stay closed with the reason. */
  | { type: 'failed' };

export interface ReconnectPolicy {
  /** Failures in a row after which the instance gives up (its state: closed with the last reason). */
  maxFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { maxFailures: 10, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/**
 * `failures`: consecutive closes without an open in between, this one included. `random` is for the jitter (tests fix it).
 * 401 logged out, 403 forbidden, 500 bad session, 411 multi-device mismatch and 440 replaced end the attempt; 515 restarts
 * at once; every other reason (408 lost or timed out, 428 closed, 503 unavailable) waits a capped exponential backoff
 * with jitter (the upper half of the ceiling is random).
 */
export function reconnectAction(reason: number, failures: number, policy: ReconnectPolicy, random: () => number = Math.random): ReconnectAction {
  switch (reason) {
    case 401:
    case 403:
      return { type: 'loggedOut' };
    case 411:
    case 500:
      return { type: 'newLogin' };
    case 440:
      return { type: 'stayClosed' };
  }
  if (failures > policy.maxFailures) return { type: 'failed' };
  if (reason === 515) return { type: 'reconnect', delayMs: 0 };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  return { type: 'reconnect', delayMs: Math.round(ceiling / 2 + (random() * ceiling) / 2) };
}
