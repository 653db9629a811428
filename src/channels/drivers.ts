import type { Config } from '../config.js';
import type { ChannelDriver } from './driver.js';
import { sandboxDriver } from './sandbox/driver.js';
import { metaDriver } from './meta/driver.js';
import { evolutionDriver } from './evolution/driver.js';
import { baileysDriver } from './baileys/driver.js';

/** Every channel this server runs, by integration name. Adding a channel is adding its driver here. */
export function channelDrivers(config: Config): ChannelDriver[] {
  const drivers: ChannelDriver[] = [];
  if (config.sandbox.enabled) drivers.push(sandboxDriver(config));
  if (config.meta.enabled) drivers.push(metaDriver(config));
  if (config.evolution.enabled) drivers.push(evolutionDriver());
  if (config.baileys.enabled) drivers.push(baileysDriver(config));
  return drivers;
}
