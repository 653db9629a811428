/** The groups of the sandbox network: WhatsApp's server side of every group the sandbox phones are in. */
export class GroupDirectory {}
