import type { LabelOps } from '../channel.js';
import { ChannelError } from '../errors.js';
import type { SandboxChannel } from './channel.js';
import { savePhoneState } from './phoneState.js';
import type { SandboxLabel } from './directory.js';

export interface LabelEdit {
  id?: string;
  name?: string;
  color?: number;
  deleted?: boolean;
}

/** The phone's labels and which chats carry them; every change reaches the gateway as labels.edit / labels.association. */
export class SandboxLabels implements LabelOps {
  constructor(private readonly phone: SandboxChannel) {}

  private get me() {
    return this.phone.opts.network.directory.entry(this.phone.number);
  }

  async addChatLabel(jid: string, labelId: string): Promise<void> {
    this.phone.assertOpen();
    this.known(labelId);
    const on = this.me.chatLabels.get(jid) ?? new Set<string>();
    on.add(labelId);
    this.me.chatLabels.set(jid, on);
    await savePhoneState(this.phone);
    await this.phone.ctx.listener.deliver([{ type: 'label.association', action: 'add', chatId: jid, labelId }]);
  }

  async removeChatLabel(jid: string, labelId: string): Promise<void> {
    this.phone.assertOpen();
    this.known(labelId);
    this.me.chatLabels.get(jid)?.delete(labelId);
    await savePhoneState(this.phone);
    await this.phone.ctx.listener.deliver([{ type: 'label.association', action: 'remove', chatId: jid, labelId }]);
  }

  /** The number whose labels were synced last: a reconnect does not sync again, a login as another number does. */
  private syncedFor: string | undefined;

  /** After login the phone syncs its labels, as WhatsApp's app state sync does. */
  async sync(): Promise<void> {
    if (this.syncedFor === this.phone.number) return;
    this.syncedFor = this.phone.number;
    await this.phone.ctx.listener.deliver([{ type: 'labels', labels: [...this.me.labels.values()].map((l) => ({ ...l, deleted: false })) }]);
  }

  /** What the phone app does: a new label (no id), a renamed or recoloured one, or a deleted one. */
  async edit(change: LabelEdit): Promise<SandboxLabel & { deleted: boolean }> {
    this.phone.assertOpen();
    const labels = this.me.labels;
    const existing = change.id === undefined ? undefined : this.known(change.id);
    if (change.deleted) {
      if (!existing) throw new ChannelError('A label to delete needs its id');
      labels.delete(existing.id);
      for (const on of this.me.chatLabels.values()) on.delete(existing.id);
    } else if (!existing && change.name === undefined) {
      throw new ChannelError('A new label needs a name');
    }
    const id = existing?.id ?? String(Math.max(0, ...[...labels.keys()].map(Number).filter(Number.isFinite)) + 1);
    const label: SandboxLabel = { ...(existing ?? { id, color: labels.size % 20 }), ...(change.name !== undefined ? { name: change.name } : {}), ...(change.color !== undefined ? { color: change.color } : {}) } as SandboxLabel;
    if (!change.deleted) labels.set(id, label);
    await savePhoneState(this.phone);
    const reported = { ...label, deleted: change.deleted ?? false };
    await this.phone.ctx.listener.deliver([{ type: 'labels', labels: [reported] }]);
    return reported;
  }

  private known(labelId: string): SandboxLabel {
    const label = this.me.labels.get(labelId);
    if (!label) throw new ChannelError(`Label "${labelId}" does not exist on this phone`);
    return label;
  }
}
