import { randomBytes } from 'node:crypto';
import type { TemplateComponent } from '../operations/templates.js';
import { graphError, placeholders } from '../templateRender.js';

export { graphError, renderTemplate } from '../templateRender.js';

/**
 * The checks a WhatsApp Business account applies to templates, simulated for the sandbox, with Graph-like errors:
 * code 100 (invalid parameter) with a subcode for what is wrong on create/edit, 132000/132001 on sends.
 */
export const TEMPLATE_CATEGORIES = ['AUTHENTICATION', 'MARKETING', 'UTILITY'] as const;

const invalid = (subcode: number, title: string, detail: string) => graphError(100, subcode, title, detail);

function checkNumbering(where: string, text: string): number {
  const found = placeholders(text);
  const distinct = [...new Set(found)].sort((a, b) => a - b);
  if (distinct.some((n, i) => n !== i + 1)) throw invalid(2388293, 'Variables are not numbered in order', `The ${where} uses ${distinct.map((n) => `{{${n}}}`).join(', ')}: variables must be {{1}}, {{2}}, ... without gaps.`);
  if (/\{\{(?!\s*\d+\s*\}\})/.test(text)) throw invalid(2388293, 'Invalid variable', `The ${where} has a variable that is not of the form {{number}}.`);
  return distinct.length;
}

const isStringList = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string' && x.length > 0);

export function checkName(name: string): void {
  if (!/^[a-z0-9_]{1,512}$/.test(name)) throw invalid(2388042, 'Invalid template name', `"${name}" is not a valid name: use only lowercase letters, digits and underscores (at most 512).`);
}

export function checkCategory(category: string): void {
  if (!(TEMPLATE_CATEGORIES as readonly string[]).includes(category)) throw invalid(2388044, 'Invalid category', `The category must be one of ${TEMPLATE_CATEGORIES.join(', ')}.`);
}

export function checkLanguage(language: string): void {
  if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) throw invalid(2388045, 'Invalid language', `"${language}" is not a language code such as en_US or pt_BR.`);
}

/** Checks components as Graph does on create and edit; returns them with their types upper-cased. */
export function checkComponents(raw: unknown[]): TemplateComponent[] {
  const components = raw.map((c, i) => {
    if (!c || typeof c !== 'object' || typeof (c as TemplateComponent).type !== 'string') throw invalid(2388047, 'Invalid component', `Component ${i} has no type.`);
    return { ...(c as TemplateComponent), type: (c as TemplateComponent).type.toUpperCase() };
  });
  const count = (type: string) => components.filter((c) => c.type === type).length;
  for (const c of components) if (!['HEADER', 'BODY', 'FOOTER', 'BUTTONS'].includes(c.type)) throw invalid(2388047, 'Invalid component', `"${c.type}" is not a component type (HEADER, BODY, FOOTER, BUTTONS).`);
  if (count('BODY') !== 1) throw invalid(2388040, 'Missing template body', 'A template needs exactly one BODY component with text.');
  for (const type of ['HEADER', 'FOOTER', 'BUTTONS']) if (count(type) > 1) throw invalid(2388047, 'Invalid component', `A template has at most one ${type}.`);
  for (const c of components) checkComponent(c);
  return components;
}

function checkComponent(c: TemplateComponent): void {
  const example = (c.example ?? {}) as Record<string, unknown>;
  switch (c.type) {
    case 'BODY': {
      if (typeof c.text !== 'string' || !c.text.trim() || c.text.length > 1024) throw invalid(2388040, 'Missing template body', 'The BODY needs a text of 1 to 1024 characters.');
      const n = checkNumbering('body', c.text);
      const rows = example.body_text;
      if (n > 0 && !(Array.isArray(rows) && rows.length > 0 && isStringList(rows[0], n))) {
        throw invalid(2388041, 'Missing sample values', `The body has ${n} variable(s): give example.body_text as [[${Array.from({ length: n }, (_, i) => `"value ${i + 1}"`).join(', ')}]].`);
      }
      return;
    }
    case 'HEADER': {
      const format = String(c.format ?? 'TEXT').toUpperCase();
      if (format === 'TEXT') {
        if (typeof c.text !== 'string' || !c.text.trim() || c.text.length > 60) throw invalid(2388047, 'Invalid header', 'A TEXT header needs a text of 1 to 60 characters.');
        const n = checkNumbering('header', c.text);
        if (n > 1) throw invalid(2388047, 'Invalid header', 'A header has at most one variable.');
        if (n === 1 && !isStringList(example.header_text, 1)) throw invalid(2388041, 'Missing sample values', 'The header has a variable: give example.header_text as ["value"].');
      } else if (['IMAGE', 'VIDEO', 'DOCUMENT'].includes(format)) {
        if (!isStringList(example.header_handle, 1)) throw invalid(2388041, 'Missing sample media', `A ${format} header needs example.header_handle with a sample.`);
      } else if (format !== 'LOCATION') throw invalid(2388047, 'Invalid header', `"${format}" is not a header format (TEXT, IMAGE, VIDEO, DOCUMENT, LOCATION).`);
      return;
    }
    case 'FOOTER':
      if (typeof c.text !== 'string' || !c.text.trim() || c.text.length > 60 || placeholders(c.text).length) throw invalid(2388047, 'Invalid footer', 'A footer needs a text of 1 to 60 characters, without variables.');
      return;
    case 'BUTTONS': {
      const buttons = c.buttons;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 10) throw invalid(2388047, 'Invalid buttons', 'BUTTONS needs 1 to 10 buttons.');
      buttons.forEach((b, i) => {
        const type = String(b.type ?? '').toUpperCase();
        if (!['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE'].includes(type)) throw invalid(2388047, 'Invalid buttons', `Button ${i} has type "${String(b.type)}" (QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE).`);
        if (type !== 'COPY_CODE' && (typeof b.text !== 'string' || !b.text.trim() || b.text.length > 25)) throw invalid(2388047, 'Invalid buttons', `Button ${i} needs a text of 1 to 25 characters.`);
        if (type === 'URL' && (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url))) throw invalid(2388047, 'Invalid buttons', `Button ${i} needs an http(s) url.`);
        if (type === 'URL' && placeholders(String(b.url)).length && !isStringList(b.example, 1)) throw invalid(2388041, 'Missing sample values', `Button ${i}'s url has a variable: give example as ["https://..."].`);
        if (type === 'PHONE_NUMBER' && (typeof b.phone_number !== 'string' || !/^\+?\d{8,20}$/.test(b.phone_number))) throw invalid(2388047, 'Invalid buttons', `Button ${i} needs a phone_number.`);
      });
      return;
    }
  }
}

/** A Graph template id: 15 to 16 digits. */
export function newTemplateId(): string {
  return String(1_000_000_000_000_000n + BigInt(`0x${randomBytes(6).toString('hex')}`));
}
