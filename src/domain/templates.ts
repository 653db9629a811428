import type { Repositories } from '../storage/repositories.js';
import type { TemplateRow } from '../storage/templateRepository.js';
import type { AccountTemplate, NewTemplate, TemplateChanges } from '../channels/operations/templates.js';
import type { InstanceService } from './instances.js';
import type { CommonSendInput, MessageService } from './messages.js';
import type { LiveInstance } from './registry.js';
import type { StoredMessage } from './types.js';
import { operations, requireSend } from './capabilities.js';

export interface CreateTemplateInput extends NewTemplate {
  webhookUrl?: string;
}

export interface SendTemplateInput extends CommonSendInput {
  name: string;
  language: string;
  components?: unknown[];
  webhookUrl?: string;
}

/**
 * Message templates: created, listed, edited and deleted on the instance's business account (the channel's
 * `templates` family), the ones it created kept as Template rows, and sent as template messages.
 * Platform refusals arrive as GraphErrors for the routes to render Meta-style.
 */
export class TemplateService {
  constructor(private readonly deps: { repos: Repositories; instances: InstanceService; messages: MessageService }) {}

  async create(live: LiveInstance, input: CreateTemplateInput): Promise<TemplateRow> {
    const ops = operations(live, 'templates');
    const answer = await this.deps.instances.channelCall(() => ops.create({ name: input.name, category: input.category, language: input.language, components: input.components, ...(input.allowCategoryChange !== undefined ? { allowCategoryChange: input.allowCategoryChange } : {}) }));
    return this.deps.repos.templates.save(live.id, { templateId: answer.id, name: input.name, language: input.language, template: answer, webhookUrl: input.webhookUrl ?? null });
  }

  find(live: LiveInstance): Promise<AccountTemplate[]> {
    const ops = operations(live, 'templates');
    return this.deps.instances.channelCall(() => ops.list());
  }

  edit(live: LiveInstance, templateId: string, changes: TemplateChanges): Promise<{ success: true }> {
    const ops = operations(live, 'templates');
    return this.deps.instances.channelCall(() => ops.edit(templateId, changes));
  }

  async delete(live: LiveInstance, name: string, templateId?: string): Promise<{ success: true }> {
    const ops = operations(live, 'templates');
    const answer = await this.deps.instances.channelCall(() => ops.delete(name, templateId));
    await this.deps.repos.templates.deleteByName(live.id, name, templateId);
    return answer;
  }

  /** Renders the approved template with the parameters (refused Meta-style otherwise), then sends it like any message. */
  async send(live: LiveInstance, input: SendTemplateInput): Promise<Omit<StoredMessage, 'id'>> {
    requireSend(live, 'template');
    const ops = operations(live, 'templates');
    const components = input.components ?? [];
    const rendered = await this.deps.instances.channelCall(() => ops.render(input.name, input.language, components));
    return this.deps.messages.send(live, input, { kind: 'template', name: input.name, language: input.language, components, rendered });
  }
}
