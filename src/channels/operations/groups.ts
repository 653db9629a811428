/** Groups: create, metadata, participants, settings, invites. */
export interface GroupOps {}
