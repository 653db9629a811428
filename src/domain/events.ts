/** Upstream event names: the dotted wire name each event carries, and the UPPER_SNAKE key used in configuration. */
export const EVENT_NAMES = [
  'application.startup', 'instance.create', 'instance.delete', 'qrcode.updated', 'connection.update',
  'status.instance', 'messages.set', 'messages.upsert', 'messages.edited', 'messages.update', 'messages.delete',
  'send.message', 'send.message.update', 'contacts.set', 'contacts.upsert', 'contacts.update', 'presence.update',
  'chats.set', 'chats.upsert', 'chats.update', 'chats.delete', 'groups.upsert', 'groups.update',
  'group-participants.update', 'labels.edit', 'labels.association', 'call', 'typebot.start',
  'typebot.change-status', 'remove.instance', 'logout.instance',
] as const;

export type EventName = (typeof EVENT_NAMES)[number];

/** UPPER key used in `events` lists: dots and dashes become underscores, upper-cased. */
export function eventKey(event: string): string {
  return event.replace(/[.-]/g, '_').toUpperCase();
}

/** URL suffix used when webhookByEvents is on, e.g. messages.upsert -> messages-upsert. */
export function eventSuffix(event: string): string {
  return eventKey(event).toLowerCase().replace(/_/g, '-');
}

/** The 31 names accepted in `events` arrays (upstream spells the groups one GROUP_UPDATE). */
export const CONFIGURABLE_EVENT_KEYS: string[] = EVENT_NAMES.map(eventKey).map((k) => (k === 'GROUPS_UPDATE' ? 'GROUP_UPDATE' : k));

/** Whether an `events` list selects this event (GROUP_UPDATE and GROUPS_UPDATE both select groups.update). */
export function listSelects(events: readonly string[], event: string): boolean {
  const key = eventKey(event);
  return events.includes(key) || (key === 'GROUPS_UPDATE' && events.includes('GROUP_UPDATE'));
}

/** An event as the domain emits it, before any sink shapes it. */
export interface GatewayEvent {
  id: string;
  event: EventName;
  instanceId: string;
  instanceName: string;
  data: unknown;
  /** Owner JID of the instance when known (the envelope's `sender`). */
  sender?: string;
  /** Instance token, used for the envelope's `apikey` when exposure is enabled. */
  token?: string;
  /** The chat this event belongs to, when it belongs to one (ordering key). */
  remoteJid?: string;
  createdAt: Date;
  /** The request (or other cause) this event came from. */
  correlationId?: string;
}
