import type { LabelOps } from '../channel.js';
import type { SandboxChannel } from './channel.js';

export class SandboxLabels implements LabelOps {
  constructor(private readonly phone: SandboxChannel) {}
}
