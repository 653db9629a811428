import type { Logger } from 'pino';
import { fetch, type Dispatcher } from 'undici';
import type { Gateway } from '../../gateway.js';
import { assertAllowedUrl, guardedDispatcher } from '../../security/addressGuard.js';
import type { MetaChannel } from './channel.js';
import type { MessagesValue } from './inbound.js';

export const INTEGRATION = 'WHATSAPP-BUSINESS';

/** A Cloud API webhook post: `object: "whatsapp_business_account"`, entries by WhatsApp Business account id. */
export interface MetaPayload {
  object?: string;
  entry?: Array<{ id?: string; changes?: Array<{ field?: string; value?: Record<string, unknown> }> }>;
}

/** The Cloud API instances of this server with this phone number id, or of this business account. */
export function metaChannels(gateway: Pick<Gateway, 'registry'>, where: { phoneNumberId?: string; businessId?: string }): MetaChannel[] {
  return gateway.registry
    .all()
    .filter((l) => l.instance.integration === INTEGRATION && (where.phoneNumberId ? l.instance.number === where.phoneNumberId : where.businessId !== undefined && l.instance.businessId === where.businessId))
    .map((l) => l.channel as MetaChannel);
}

/**
 * Processes one stored webhook payload: each `messages` change goes to the instances of its `phone_number_id`;
 * `message_template_status_update` is posted as is to the webhookUrl the template was created with, as upstream does.
 * Resolves once everything it carries is stored (or forwarded); a rejection has the payload tried again.
 */
export function metaPayloadHandler(gateway: Gateway, logger: Logger): (payload: string) => Promise<void> {
  const dispatcher: Dispatcher = guardedDispatcher({ allowPrivate: gateway.config.media.allowPrivateUrls });
  const forward = async (businessId: string | undefined, value: Record<string, unknown>) => {
    const templateId = String(value.message_template_id ?? '');
    const owners = gateway.registry.all().filter((l) => l.instance.integration === INTEGRATION && businessId !== undefined && l.instance.businessId === businessId);
    for (const owner of owners) {
      const row = await gateway.repos.templates.findByTemplateId(owner.id, templateId);
      if (!row?.webhookUrl) continue;
      await assertAllowedUrl(row.webhookUrl, { allowPrivate: gateway.config.media.allowPrivateUrls });
      const res = await fetch(row.webhookUrl, { method: 'POST', body: JSON.stringify(value), headers: { 'content-type': 'application/json' }, dispatcher, signal: AbortSignal.timeout(10_000) });
      await res.body?.cancel();
      if (res.status >= 500 || res.status === 429) throw new Error(`the template webhook answered ${res.status}`);
    }
  };

  return async (raw) => {
    const payload = JSON.parse(raw) as MetaPayload;
    const work: Array<Promise<unknown>> = [];
    for (const entry of payload.entry ?? []) {
      for (const change of entry.changes ?? []) {
        const value = change.value ?? {};
        if (change.field === 'messages') {
          const phoneNumberId = (value as MessagesValue).metadata?.phone_number_id;
          const channels = phoneNumberId ? metaChannels(gateway, { phoneNumberId }) : [];
          if (!channels.length) logger.warn({ phoneNumberId }, 'Meta webhook for a phone number id no instance has; ignored');
          for (const channel of channels) work.push(channel.handle(value as MessagesValue));
        } else if (change.field === 'message_template_status_update') {
          work.push(forward(entry.id, value));
        } else {
          logger.debug({ field: change.field }, 'Meta webhook field not handled');
        }
      }
    }
    await Promise.all(work);
  };
}
