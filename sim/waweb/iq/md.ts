import { getBinaryNodeChild } from 'baileys';
import type { Simulator } from '../simulator.js';
import { result } from './router.js';

/** Multi-device management (`md`): a companion unlinking itself. */
export const registerMd = (sim: Simulator): void => {
  sim.router.handle({ xmlns: 'md', type: 'set', child: 'remove-companion-device' }, (iq) => {
    const jid = getBinaryNodeChild(iq, 'remove-companion-device')?.attrs.jid;
    if (jid) sim.registry.removeDevice(jid);
    return result();
  });
};
