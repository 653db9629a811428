import { randomBytes } from 'node:crypto';
import { GraphError, type GraphErrorBody, type RenderedTemplate, type TemplateComponent } from './operations/templates.js';

/**
 * What a WhatsApp Business account's template looks like to its recipient: a template's `{{n}}` placeholders filled
 * with a send's parameters, counted as Graph counts them, and Graph-like errors. Shared by the sandbox's simulated
 * account and the Cloud API channel (which records what Meta renders).
 */
const fbtrace = () => randomBytes(9).toString('base64url');

export function graphError(code: number, subcode: number | undefined, title: string, detail: string, message = 'Invalid parameter'): GraphError {
  const body: GraphErrorBody = { message: code === 100 ? `(#100) ${message}` : `(#${code}) ${message}`, type: 'OAuthException', code, ...(subcode ? { error_subcode: subcode } : {}), error_user_title: title, error_user_msg: detail, fbtrace_id: fbtrace() };
  return new GraphError(body);
}

/** `{{1}}`, `{{2}}`...: the placeholder numbers of a text, in order of appearance. */
export function placeholders(text: string): number[] {
  return [...text.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1]));
}

interface SendComponent {
  type?: string;
  sub_type?: string;
  index?: string | number;
  parameters?: Array<{ type?: string; text?: string; fallback_value?: string; currency?: { fallback_value?: string }; date_time?: { fallback_value?: string }; payload?: string }>;
}

function values(where: string, expected: number, given: SendComponent | undefined): string[] {
  const params = given?.parameters ?? [];
  if (params.length !== expected) {
    throw graphError(132000, undefined, 'Number of parameters does not match', `The ${where} expects ${expected} parameter(s), ${params.length} given.`, 'Number of parameters does not match the expected number of params');
  }
  return params.map((p) => p.text ?? p.currency?.fallback_value ?? p.date_time?.fallback_value ?? p.fallback_value ?? p.payload ?? '');
}

const fill = (text: string, vals: string[]) => text.replace(/\{\{\s*(\d+)\s*\}\}/g, (_, n: string) => vals[Number(n) - 1] ?? '');

/** What the recipient reads: each component's placeholders filled with the send's parameters, counted as Graph counts them. */
export function renderTemplate(templateId: string, components: TemplateComponent[], sendComponents: unknown[]): RenderedTemplate {
  const given = (sendComponents as SendComponent[]).filter((c) => c && typeof c === 'object');
  const part = (type: string) => given.find((c) => String(c.type ?? '').toLowerCase() === type);
  const body = components.find((c) => c.type === 'BODY')!;
  const header = components.find((c) => c.type === 'HEADER');
  const footer = components.find((c) => c.type === 'FOOTER');
  const buttons = components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
  const rendered: RenderedTemplate = { templateId, text: fill(body.text!, values('body', new Set(placeholders(body.text!)).size, part('body'))), buttons: [] };
  if (header && String(header.format ?? 'TEXT').toUpperCase() === 'TEXT' && header.text) rendered.title = fill(header.text, values('header', new Set(placeholders(header.text)).size, part('header')));
  if (footer?.text) rendered.footer = footer.text;
  buttons.forEach((b, index) => {
    const type = String(b.type).toUpperCase();
    const button: RenderedTemplate['buttons'][number] = { index, type, text: String(b.text ?? 'Copy code') };
    if (type === 'URL') {
      const url = String(b.url);
      const n = new Set(placeholders(url)).size;
      const mine = given.find((c) => String(c.type ?? '').toLowerCase() === 'button' && Number(c.index) === index);
      button.url = n ? fill(url, values(`button ${index}`, n, mine)) : url;
    }
    if (type === 'PHONE_NUMBER') button.phoneNumber = String(b.phone_number);
    rendered.buttons.push(button);
  });
  return rendered;
}
