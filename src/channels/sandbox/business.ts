import type { BusinessOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxBusiness implements BusinessOps {
  constructor(private readonly phone: SandboxChannel) {}
}
