import type { PrivacyOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxPrivacy implements PrivacyOps {
  constructor(private readonly phone: SandboxChannel) {}
}
