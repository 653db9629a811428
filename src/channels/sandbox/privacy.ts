import type { PrivacyOps } from '../channel.js';
import type { PrivacySettings } from '../operations/privacy.js';
import type { SandboxChannel } from './channel.js';
import { savePhoneState } from './phoneState.js';

/** The phone's privacy settings, kept by the network, which applies them when others look at this phone's profile. */
export class SandboxPrivacy implements PrivacyOps {
  constructor(private readonly phone: SandboxChannel) {}

  async fetch(): Promise<PrivacySettings> {
    this.phone.assertOpen();
    return { ...this.phone.opts.network.directory.entry(this.phone.number).privacy };
  }

  async update(settings: PrivacySettings): Promise<void> {
    this.phone.assertOpen();
    this.phone.opts.network.directory.entry(this.phone.number).privacy = { ...settings };
    await savePhoneState(this.phone);
  }
}
