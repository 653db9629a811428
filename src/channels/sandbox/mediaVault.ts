/** Media uploaded by sandbox phones, kept by the network so recipients can download it (WhatsApp's media servers). */
export class MediaVault {}
