import type { IqRouter } from './router.js';
import { result } from './router.js';

/** Presence of the session (`passive`), keep-alive pings (`w:p`) and telemetry (`w:stats`). */
export const registerAccount = (router: IqRouter): void => {
  router.handle({ xmlns: 'passive', type: 'set' }, () => result());
  router.handle({ xmlns: 'w:p', type: 'get', child: 'ping' }, () => result());
  router.handle({ xmlns: 'w:stats' }, () => result());
  // Dirty bits: the simulator never marks any, so a clean request only needs its result.
  router.handle({ xmlns: 'urn:xmpp:whatsapp:dirty', type: 'set', child: 'clean' }, () => result());
};
