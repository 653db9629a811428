/** A message template as a WhatsApp Business account keeps it (Graph `message_templates` element). */
export interface AccountTemplate {
  id: string;
  name: string;
  language: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  category: string;
  parameter_format: 'POSITIONAL';
  components: TemplateComponent[];
}

/** A template component as Graph defines it: HEADER, BODY, FOOTER or BUTTONS, with `{{n}}` placeholders and examples. */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  buttons?: Array<Record<string, unknown>>;
  example?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface NewTemplate {
  name: string;
  category: string;
  language: string;
  components: unknown[];
  allowCategoryChange?: boolean;
}

export interface TemplateChanges {
  category?: string;
  allowCategoryChange?: boolean;
  /** Graph's `time_to_live`, seconds. */
  ttl?: number;
  components?: unknown[];
}

/** What the recipient of a template message sees: the template's text with the sender's parameters filled in. */
export interface RenderedTemplate {
  templateId: string;
  title?: string;
  text: string;
  footer?: string;
  buttons: Array<{ index: number; type: string; text: string; url?: string; phoneNumber?: string }>;
}

/** Graph's error object (`{error: {...}}` of a refused call): what upstream renders as its Meta-style 400. */
export interface GraphErrorBody {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_user_title?: string;
  error_user_msg?: string;
  /** Cloud API message errors: `{messaging_product, details}`. */
  error_data?: Record<string, unknown>;
  fbtrace_id: string;
}

/** A business platform refused a call; `body` is its error object. */
export class GraphError extends Error {
  constructor(readonly body: GraphErrorBody) {
    super(body.message);
  }
}

/** Message templates of a WhatsApp Business account; refusals are GraphErrors. */
export interface TemplateOps {
  /** Submits a template for review: Graph answers `{id, status, category}`, status PENDING until approved. */
  create(template: NewTemplate): Promise<{ id: string; status: string; category: string }>;
  /** Every template of the account (Graph's `data` array). */
  list(): Promise<AccountTemplate[]>;
  /** Graph `POST /<template_id>`: changes go back to review. */
  edit(templateId: string, changes: TemplateChanges): Promise<{ success: true }>;
  /** Graph `DELETE /<waba_id>/message_templates?name=&hsm_id=`: every language of the name, or the one with that id. */
  delete(name: string, templateId?: string): Promise<{ success: true }>;
  /** Checks a send of an approved template with these parameters and renders what the recipient will read. */
  render(name: string, language: string, components: unknown[]): Promise<RenderedTemplate>;
}
