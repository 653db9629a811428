/** Profiles, privacy settings and block lists of the sandbox phones, as the network shows them to each other. */
export class PhoneDirectory {}
