import { MASKED_PASSWORD } from '../../domain/proxies.js';

/** What `/chatwoot/set` stores (upstream's Chatwoot columns plus `autoCreate`). */
export interface ChatwootSettings {
  enabled: boolean;
  accountId: string;
  token: string;
  url: string;
  nameInbox: string;
  signMsg: boolean;
  signDelimiter: string | null;
  number: string;
  reopenConversation: boolean;
  conversationPending: boolean;
  mergeBrazilContacts: boolean;
  importContacts: boolean;
  importMessages: boolean;
  daysLimitImportMessages: number;
  organization: string;
  logo: string;
  ignoreJids: string[];
  autoCreate: boolean;
}

/** A stored configuration: the settings, the inbox the gateway uses, and the secret of its webhook URL. */
export interface ChatwootConfig extends ChatwootSettings {
  id: string;
  instanceId: string;
  inboxId: string | null;
  webhookToken: string;
  createdAt: string;
  updatedAt: string;
}

/** Upstream's answer of `/chatwoot/find` when nothing is configured. */
export const UNCONFIGURED = { enabled: false, url: '', accountId: '', token: '', signMsg: false, nameInbox: '', webhook_url: '' };

/** The set body with upstream's defaults for what it leaves out. */
export function settingsOf(body: Partial<Omit<ChatwootSettings, 'nameInbox'>> & Pick<ChatwootSettings, 'enabled'> & { nameInbox?: string | null }, instanceName: string): ChatwootSettings {
  if (!body.enabled) {
    // As upstream: turning Chatwoot off clears the connection fields.
    return { ...settingsOf({ ...body, enabled: true, url: '', accountId: '', token: '' }, instanceName), enabled: false, url: '', accountId: '', token: '', signMsg: false, reopenConversation: false, conversationPending: false };
  }
  return {
    enabled: true,
    accountId: String(body.accountId ?? '').trim(),
    token: body.token ?? '',
    url: (body.url ?? '').trim().replace(/\/+$/, ''),
    nameInbox: body.nameInbox?.trim() || instanceName,
    signMsg: body.signMsg ?? false,
    signDelimiter: body.signDelimiter ?? null,
    number: body.number ?? '',
    reopenConversation: body.reopenConversation ?? false,
    conversationPending: body.conversationPending ?? false,
    mergeBrazilContacts: body.mergeBrazilContacts ?? false,
    importContacts: body.importContacts ?? true,
    importMessages: body.importMessages ?? true,
    daysLimitImportMessages: body.daysLimitImportMessages ?? 60,
    organization: body.organization ?? '',
    logo: body.logo ?? '',
    ignoreJids: body.ignoreJids ?? [],
    autoCreate: body.autoCreate ?? false,
  };
}

/** Settings as answers show them: the Chatwoot token masked, as every stored secret. */
export function publicSettings(s: ChatwootSettings): ChatwootSettings {
  return { ...s, token: s.token ? MASKED_PASSWORD : '' };
}

/**
 * The URL Chatwoot posts its events to: upstream's path, plus the instance's webhook secret as `token` (the route
 * refuses a post without it). `base` is SERVER_URL, or where the client reached the gateway.
 */
export function webhookUrlOf(base: string, instanceName: string, webhookToken: string): string {
  return `${base.replace(/\/+$/, '')}/chatwoot/webhook/${encodeURIComponent(instanceName)}?token=${encodeURIComponent(webhookToken)}`;
}

/** Whether a chat is excluded by `ignoreJids`: its JID, or "@g.us" / "@s.whatsapp.net" for every group / every person. */
export function ignores(ignoreJids: readonly string[], remoteJid: string): boolean {
  return ignoreJids.some((j) => j === remoteJid || (j.startsWith('@') && remoteJid.endsWith(j)));
}
