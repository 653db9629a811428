import { patchWaCertificates } from './certs.js';
import { Simulator, type SimulatorOptions } from './simulator.js';

export { Simulator, type SimulatorOptions } from './simulator.js';
export { patchWaCertificates } from './certs.js';
export { IqRouter, result, complete } from './iq/router.js';
export { Registry, type User, type Device, type PreKeyStore, type SignedPreKey } from './registry.js';
export { Phone } from './phone.js';
export { Connection } from './connection.js';
export type * from './types.js';

/** Starts a simulator on 127.0.0.1 and makes this process's library trust its certificates. */
export const startSimulator = async (options?: SimulatorOptions): Promise<Simulator> => {
  patchWaCertificates();
  return new Simulator().start(options);
};
export * from './contacts.js';
