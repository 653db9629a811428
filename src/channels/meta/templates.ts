import { ChannelError } from '../errors.js';
import type { AccountTemplate, NewTemplate, RenderedTemplate, TemplateChanges, TemplateComponent, TemplateOps } from '../operations/templates.js';
import { graphError, renderTemplate } from '../templateRender.js';
import type { MetaChannel } from './channel.js';

/** Message templates of the number's WhatsApp Business account (`businessId`), kept by Meta and reviewed there. */
export class MetaTemplates implements TemplateOps {
  constructor(private readonly channel: MetaChannel) {}

  private get waba(): string {
    const id = this.channel.businessId;
    if (!id) throw new ChannelError('This WHATSAPP-BUSINESS instance has no businessId (the WhatsApp Business account id)');
    return id;
  }

  create(t: NewTemplate): Promise<{ id: string; status: string; category: string }> {
    const body = { name: t.name, category: t.category, language: t.language, components: t.components, ...(t.allowCategoryChange !== undefined ? { allow_category_change: t.allowCategoryChange } : {}) };
    return this.channel.call('POST', `/${this.waba}/message_templates`, body);
  }

  async list(): Promise<AccountTemplate[]> {
    const templates: AccountTemplate[] = [];
    let path: string | undefined = `/${this.waba}/message_templates?limit=250`;
    // Graph pages with cursors; an account has at most a few thousand templates.
    for (let page = 0; path && page < 40; page++) {
      const answer: { data?: AccountTemplate[]; paging?: { next?: string } } = await this.channel.call('GET', path);
      templates.push(...(answer.data ?? []));
      path = answer.paging?.next;
    }
    return templates;
  }

  edit(templateId: string, c: TemplateChanges): Promise<{ success: true }> {
    const body = { ...(c.category ? { category: c.category } : {}), ...(c.components ? { components: c.components } : {}), ...(c.ttl !== undefined ? { time_to_live: c.ttl } : {}), ...(c.allowCategoryChange !== undefined ? { allow_category_change: c.allowCategoryChange } : {}) };
    return this.channel.call('POST', `/${encodeURIComponent(templateId)}`, body);
  }

  delete(name: string, templateId?: string): Promise<{ success: true }> {
    const query = new URLSearchParams({ name, ...(templateId ? { hsm_id: templateId } : {}) });
    return this.channel.call('DELETE', `/${this.waba}/message_templates?${query}`);
  }

  /** Meta renders what the recipient reads; the record keeps the same text, filled from the approved template. */
  async render(name: string, given: string, components: unknown[]): Promise<RenderedTemplate> {
    const language = given || this.channel.deps.config.language;
    const answer = await this.channel.call<{ data?: AccountTemplate[] }>('GET', `/${this.waba}/message_templates?${new URLSearchParams({ name, language })}`);
    const template = answer.data?.find((t) => t.name === name && t.language === language && t.status === 'APPROVED');
    if (!template) throw graphError(132001, undefined, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`, 'Template name does not exist in the translation');
    return renderTemplate(template.id, template.components as TemplateComponent[], components);
  }
}
