import type { MediaOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxMedia implements MediaOps {
  constructor(private readonly phone: SandboxChannel) {}
}
