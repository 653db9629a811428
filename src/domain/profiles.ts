import type { PrivacySettings } from '../channels/operations/privacy.js';
import type { BusinessProfile } from '../channels/operations/business.js';
import type { MediaLoader } from '../media/types.js';
import type { InstanceService } from './instances.js';
import type { InstanceCache } from './instanceCache.js';
import type { LiveInstance } from './registry.js';
import { operations, optionalOperations } from './capabilities.js';
import { badRequest } from './errors.js';
import { toJid } from './jid.js';

/** How upstream tells a picture from anything else: an http(s) URL, a data URI or base64 text. */
const URL_OR_BASE64 = /^(https?:\/\/|data:image\/|[A-Za-z0-9+/]{4,})/i;

/** Profiles (other numbers' and the instance's own), business profiles and privacy settings, in upstream's shapes. */
export class ProfileService {
  constructor(private readonly instances: InstanceService, private readonly cache: InstanceCache, private readonly media: () => MediaLoader) {}

  async fetchProfile(live: LiveInstance, number?: string) {
    const profile = operations(live, 'profile');
    if (!number) {
      const wuid = this.ownJid(live);
      const own = await this.instances.channelCall(() => profile.fetch(wuid));
      const business = await this.business(live, wuid);
      return { wuid, name: live.instance.profileName, numberExists: true, picture: live.instance.profilePicUrl, status: own.status, ...businessFields(business) };
    }
    const check = await this.check(live, number);
    if (!check.exists) throw badRequest(check);
    const view = await this.instances.channelCall(() => profile.fetch(check.jid));
    const business = await this.business(live, check.jid);
    return { wuid: check.jid, name: view.name ?? check.name, numberExists: check.exists, picture: view.pictureUrl, status: view.status, ...businessFields(business) };
  }

  async fetchBusinessProfile(live: LiveInstance, number?: string) {
    const jid = number ? toJid(number) : this.ownJid(live);
    const ops = operations(live, 'business');
    const profile = await this.instances.channelCall(() => ops.profile(jid));
    if (profile) return { isBusiness: true, ...profile };
    const check = await this.check(live, number ?? jid);
    return { isBusiness: false, message: 'Not is business profile', ...check };
  }

  async updateName(live: LiveInstance, name: string) {
    const ops = operations(live, 'profile');
    await this.instances.channelCall(() => ops.setName(name));
    return { update: 'success' };
  }

  async updateStatus(live: LiveInstance, status: string) {
    const ops = operations(live, 'profile');
    await this.instances.channelCall(() => ops.setStatus(status));
    return { update: 'success' };
  }

  /** The picture comes by URL or base64 through the shared media loader (address guard, size limit, timeout). */
  async updatePicture(live: LiveInstance, picture: string | undefined) {
    const ops = operations(live, 'profile');
    if (!picture || !URL_OR_BASE64.test(picture.slice(0, 64))) throw badRequest('"profilePicture" must be a url or a base 64');
    const loaded = await this.media().load(picture, { instanceId: live.id });
    if (!loaded.mimetype.startsWith('image/')) throw badRequest(`The picture must be an image, not ${loaded.mimetype}`);
    await this.instances.channelCall(() => ops.setPicture(loaded.data));
    await this.instances.idle(live);
    return { update: 'success' };
  }

  async removePicture(live: LiveInstance) {
    const ops = operations(live, 'profile');
    await this.instances.channelCall(() => ops.removePicture());
    await this.instances.idle(live);
    return { update: 'success' };
  }

  async fetchPrivacy(live: LiveInstance): Promise<PrivacySettings> {
    const ops = operations(live, 'privacy');
    const p = await this.instances.channelCall(() => ops.fetch());
    return { readreceipts: p.readreceipts, profile: p.profile, status: p.status, online: p.online, last: p.last, groupadd: p.groupadd };
  }

  async updatePrivacy(live: LiveInstance, settings: PrivacySettings) {
    const ops = operations(live, 'privacy');
    const data: PrivacySettings = { readreceipts: settings.readreceipts, profile: settings.profile, status: settings.status, online: settings.online, last: settings.last, groupadd: settings.groupadd };
    await this.instances.channelCall(() => ops.update(data));
    return { update: 'success', data };
  }

  private ownJid(live: LiveInstance): string {
    if (!live.instance.ownerJid) throw badRequest(`The "${live.name}" instance is not connected`);
    return live.instance.ownerJid;
  }

  private async check(live: LiveInstance, number: string) {
    const numbers = operations(live, 'numbers');
    const [check] = await this.cache.checkNumbers(live.id, [number], (missing) => this.instances.channelCall(() => numbers.checkNumbers(missing)));
    return check ?? { jid: toJid(number), exists: false, number };
  }

  /** A channel without business profiles answers "not a business", as Baileys does for personal accounts. */
  private async business(live: LiveInstance, jid: string): Promise<BusinessProfile | null> {
    const ops = optionalOperations(live, 'business');
    return ops ? this.instances.channelCall(() => ops.profile(jid)) : null;
  }
}

function businessFields(b: BusinessProfile | null) {
  return { isBusiness: b !== null, email: b?.email, description: b?.description, website: b?.website[0] };
}
