import type { CallOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxCalls implements CallOps {
  constructor(private readonly phone: SandboxChannel) {}
}
