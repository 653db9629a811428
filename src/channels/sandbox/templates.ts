import type { TemplateOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxTemplates implements TemplateOps {
  constructor(private readonly phone: SandboxChannel) {}
}
