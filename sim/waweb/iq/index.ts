import type { Simulator } from '../simulator.js';
import { registerAccount } from './account.js';
import { registerAppState } from './app-state.js';
import { registerMd } from './md.js';
import { registerPairingCode } from '../pairing-code.js';
import { registerPreKeys } from './prekeys.js';
import { registerPrivacy } from './privacy.js';
import { registerProps } from './props.js';

/** The IQs the library sends while logging in and staying connected. */
export const registerLoginIqs = (sim: Simulator): void => {
  registerAccount(sim.router);
  registerProps(sim.router);
  registerPrivacy(sim.router);
  registerAppState(sim.router);
  registerPreKeys(sim.router, sim.registry);
  registerMd(sim);
  registerPairingCode(sim);
  sim.mex.register(sim.router);
};
