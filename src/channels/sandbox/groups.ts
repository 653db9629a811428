import type { GroupOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxGroups implements GroupOps {
  constructor(private readonly phone: SandboxChannel) {}
}
