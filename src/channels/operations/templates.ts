/** Message templates (WhatsApp Business accounts). */
export interface TemplateOps {}
