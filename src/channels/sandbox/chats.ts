import type { ChatOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxChats implements ChatOps {
  constructor(private readonly phone: SandboxChannel) {}
}
