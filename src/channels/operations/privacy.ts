export type Audience = 'all' | 'contacts' | 'contact_blacklist' | 'none';

/** WhatsApp's privacy settings, with upstream's names and values. */
export interface PrivacySettings {
  readreceipts: 'all' | 'none';
  profile: Audience;
  status: Audience;
  online: 'all' | 'match_last_seen';
  last: Audience;
  groupadd: Audience;
}

/** The instance's privacy settings. */
export interface PrivacyOps {
  fetch(): Promise<PrivacySettings>;
  update(settings: PrivacySettings): Promise<void>;
}
