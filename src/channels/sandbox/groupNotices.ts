import { HoldBack, type ChannelEvent, type InboundMessage } from '../events.js';
import type { GroupDirectory, SandboxGroup } from './groupDirectory.js';
import type { SandboxNetwork, SandboxPhone } from './network.js';

export type GroupUpdate = Record<string, unknown>;
const userJid = (number: string) => `${number}@s.whatsapp.net`;

/**
 * WhatsApp's server tells every member's phone about a group change; here: every member that is a sandbox instance
 * and online. Resolves once each of their gateways took the events (retrying while one holds back).
 */
export class GroupNotices {
  constructor(private readonly network: SandboxNetwork) {}

  private get directory(): GroupDirectory {
    return this.network.groups;
  }

  /** `groups.update` for a changed field (subject, desc, announce, restrict, ...), to every member. */
  updated(group: SandboxGroup, author: string, update: GroupUpdate): Promise<void> {
    return this.toMembers(group, [{ type: 'groups', action: 'update', groups: [{ id: group.id, ...update, author: userJid(author) }] }]);
  }

  /** `groups.upsert` with the whole group, to the members who just got it (created, added, joined). */
  arrived(group: SandboxGroup, author: string, numbers: string[]): Promise<void> {
    const metadata = { ...this.directory.metadata(group), author: userJid(author) };
    return this.to(numbers, [{ type: 'groups', action: 'upsert', groups: [metadata] }]);
  }

  /** `group-participants.update`, to every member plus `extra` (who just left or was removed). */
  participants(group: SandboxGroup, author: string, action: 'add' | 'remove' | 'promote' | 'demote', jids: string[], extra: string[] = []): Promise<void> {
    if (!jids.length) return Promise.resolve();
    const event: ChannelEvent = { type: 'group.participants', groupJid: group.id, action, participants: jids, author: userJid(author) };
    return this.to([...group.members.keys(), ...extra], [event]);
  }

  /** Any events (a contact's message in the group, say) to the given numbers' phones. */
  async to(numbers: string[], events: ChannelEvent[]): Promise<void> {
    await Promise.all([...new Set(numbers)].map((n) => this.tell(n, events)));
  }

  /** A message posted in the group, to the given members' phones. */
  async message(numbers: string[], message: InboundMessage): Promise<void> {
    await Promise.all(numbers.map((n) => this.handTo(n, (phone) => phone.receive(message))));
  }

  private toMembers(group: SandboxGroup, events: ChannelEvent[]): Promise<void> {
    return this.to([...group.members.keys()], events);
  }

  private tell(number: string, events: ChannelEvent[]): Promise<void> {
    return this.handTo(number, async (phone) => phone.notify?.(events));
  }

  private async handTo(number: string, give: (phone: SandboxPhone) => Promise<void>): Promise<void> {
    for (;;) {
      const phone = this.network.phone(number);
      if (!phone) return;
      try {
        return await give(phone);
      } catch (e) {
        if (!(e instanceof HoldBack)) return;
        await new Promise((r) => setTimeout(r, e.retryAfterMs));
      }
    }
  }
}
