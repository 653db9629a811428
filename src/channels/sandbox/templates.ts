import type { AccountTemplate, NewTemplate, RenderedTemplate, TemplateChanges, TemplateComponent, TemplateOps } from '../operations/templates.js';
import type { SandboxChannel } from './channel.js';
import { checkCategory, checkComponents, checkLanguage, checkName, graphError, newTemplateId, renderTemplate } from './templateRules.js';

/** How long the simulated review takes: a template is PENDING, then APPROVED. */
export const TEMPLATE_REVIEW_MS = 150;

/** A template of the account and when its review ends (the status follows from the clock, so no timer is needed). */
interface StoredTemplate extends Omit<AccountTemplate, 'status'> {
  approvesAt: number;
}

/** Where the account's templates live: the instance's own key store, so they outlive restarts as Meta's do. */
const KEY_TYPE = 'sandbox-templates';
const KEY_ID = 'account';

/**
 * The WhatsApp Business account behind a sandbox instance: a template registry that validates as Graph does,
 * reviews each template (PENDING -> APPROVED after TEMPLATE_REVIEW_MS) and renders approved ones for sending.
 */
export class SandboxTemplates implements TemplateOps {
  private loaded: Promise<StoredTemplate[]> | undefined;
  /** Changes one after another, each saved before the next starts. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(private readonly phone: SandboxChannel) {}

  async create(t: NewTemplate): Promise<{ id: string; status: string; category: string }> {
    checkName(t.name);
    checkCategory(t.category);
    checkLanguage(t.language);
    const components = checkComponents(t.components);
    return this.change((all) => {
      if (all.some((x) => x.name === t.name && x.language === t.language)) {
        throw graphError(100, 2388024, 'Content in this language already exists', `There is already ${t.language} content for the template "${t.name}". Edit it or use another name.`);
      }
      const stored: StoredTemplate = { id: newTemplateId(), name: t.name, language: t.language, category: t.category, parameter_format: 'POSITIONAL', components, approvesAt: Date.now() + TEMPLATE_REVIEW_MS };
      all.push(stored);
      return { id: stored.id, status: 'PENDING', category: stored.category };
    });
  }

  async list(): Promise<AccountTemplate[]> {
    return (await this.load()).map(view);
  }

  async edit(templateId: string, changes: TemplateChanges): Promise<{ success: true }> {
    if (changes.category !== undefined) checkCategory(changes.category);
    const components = changes.components ? checkComponents(changes.components) : undefined;
    return this.change((all) => {
      const t = all.find((x) => x.id === templateId);
      if (!t) throw graphError(100, 33, 'Template not found', `There is no template with id ${templateId} in this account.`, `Unsupported post request. Object with ID '${templateId}' does not exist`);
      if (changes.category !== undefined && changes.category !== t.category && view(t).status === 'APPROVED' && !changes.allowCategoryChange) {
        throw graphError(100, 2388299, 'Category cannot change', 'The category of an approved template changes only with allowCategoryChange.');
      }
      if (changes.category !== undefined) t.category = changes.category;
      if (components) t.components = components;
      // An edited template is reviewed again.
      t.approvesAt = Date.now() + TEMPLATE_REVIEW_MS;
      return { success: true as const };
    });
  }

  async delete(name: string, templateId?: string): Promise<{ success: true }> {
    return this.change((all) => {
      const doomed = all.filter((x) => x.name === name && (!templateId || x.id === templateId));
      if (!doomed.length) throw graphError(100, 2593002, 'Template not found', templateId ? `There is no template "${name}" with id ${templateId}.` : `There is no template named "${name}".`);
      for (const d of doomed) all.splice(all.indexOf(d), 1);
      return { success: true as const };
    });
  }

  async render(name: string, language: string, components: unknown[]): Promise<RenderedTemplate> {
    const t = (await this.load()).find((x) => x.name === name && x.language === language);
    if (!t) throw graphError(132001, undefined, 'Template does not exist', `There is no template "${name}" in ${language}.`, 'Template name does not exist in the translation');
    const { status } = view(t);
    if (status !== 'APPROVED') throw graphError(132001, undefined, 'Template is not approved', `The template "${name}" (${language}) is ${status}: only APPROVED templates can be sent.`, 'Template is not approved');
    return renderTemplate(t.id, t.components, components);
  }

  private load(): Promise<StoredTemplate[]> {
    this.loaded ??= this.phone.ctx.keys.get<StoredTemplate[]>(KEY_TYPE, [KEY_ID]).then((r) => r[KEY_ID] ?? []);
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  /** Applies a change to a copy of the registry, saves it, then makes it current; a refused change leaves it as it was. */
  private change<T>(fn: (all: StoredTemplate[]) => T): Promise<T> {
    const run = this.writes.then(async () => {
      const copy = structuredClone(await this.load());
      const result = fn(copy);
      await this.phone.ctx.keys.set({ [KEY_TYPE]: { [KEY_ID]: copy } });
      this.loaded = Promise.resolve(copy);
      return result;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }
}

function view(t: StoredTemplate): AccountTemplate {
  const { approvesAt, components, ...rest } = t;
  return { name: rest.name, parameter_format: rest.parameter_format, components: components as TemplateComponent[], language: rest.language, status: Date.now() >= approvesAt ? 'APPROVED' : 'PENDING', category: rest.category, id: rest.id };
}
