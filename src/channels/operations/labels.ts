/** Labels (WhatsApp Business) and their chat associations. */
export interface LabelOps {}
