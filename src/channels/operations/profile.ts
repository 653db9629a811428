/** Another user's profile as this instance is allowed to see it (privacy applied): null where hidden or unset. */
export interface ProfileView {
  name: string | null;
  status: string | null;
  pictureUrl: string | null;
}

/** Profiles: other users' as this instance sees them, and the instance's own. */
export interface ProfileOps {
  pictureUrl(jid: string): Promise<string | null>;
  fetch(jid: string): Promise<ProfileView>;
  setName(name: string): Promise<void>;
  setStatus(status: string): Promise<void>;
  /** An image already checked to be one; the channel scales it as WhatsApp does. */
  setPicture(image: Buffer): Promise<void>;
  removePicture(): Promise<void>;
}
