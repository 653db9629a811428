import type { ProfileOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxProfile implements ProfileOps {
  constructor(private readonly phone: SandboxChannel) {}
  async pictureUrl(_jid: string): Promise<string | null> {
    return null;
  }
}
