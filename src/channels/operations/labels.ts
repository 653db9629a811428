/** Labels (WhatsApp Business) and their chat associations. Changes come back as `labels` / `label.association` events. */
export interface LabelOps {
  addChatLabel(jid: string, labelId: string): Promise<void>;
  removeChatLabel(jid: string, labelId: string): Promise<void>;
}
