/** The instance's privacy settings. */
export interface PrivacyOps {}
