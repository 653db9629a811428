/** Profiles: other users' as this instance sees them, and the instance's own. */
export interface ProfileOps {
  pictureUrl(jid: string): Promise<string | null>;
}
