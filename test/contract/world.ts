import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/server.js';

export const A = '5511977770001';
export const B = '5511977770002';
export const jidOf = (n: string) => `${n}@s.whatsapp.net`;

/** A 1x1 PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/**
 * What well-formed requests refer to, made on first use through the API itself: a message, a media message, a group,
 * a label, an approved template. A fixture that cannot be made fails the route that needs it, naming the fixture.
 */
export class World {
  private cache = new Map<string, Promise<unknown>>();
  /** A local HTTP proxy the server's probe goes through. */
  proxyPort = 0;
  /** Short real media files, base64 (made with ffmpeg). */
  media = { mp4: '', mp3: '' };

  constructor(private readonly server: TestServer, readonly instance: string, readonly peer: string, private readonly tokens: Record<string, string>) {}

  private once<T>(name: string, make: () => Promise<T>): Promise<T> {
    let p = this.cache.get(name) as Promise<T> | undefined;
    if (!p) this.cache.set(name, (p = make()));
    return p;
  }

  async call(method: string, path: string, body?: unknown, instance = this.instance) {
    return this.server.call(method, path, body, this.tokens[instance]);
  }

  private async must(what: string, method: string, path: string, body?: unknown, instance = this.instance): Promise<any> {
    const res = await this.call(method, path, body, instance);
    if (res.status >= 300) throw new Error(`fixture "${what}" (${method} ${path}) failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A text the instance sent to the peer. */
  sentText(): Promise<{ id: string; remoteJid: string; fromMe: boolean }> {
    return this.once('sentText', async () => (await this.must('a sent text', 'POST', `/message/sendText/${this.instance}`, { number: B, text: 'contract fixture' })).key);
  }

  /** A text the peer sent, as the instance stored it. */
  receivedText(): Promise<{ id: string; remoteJid: string; fromMe: boolean }> {
    return this.once('receivedText', async () => {
      const sent = await this.must('a text from the peer', 'POST', `/message/sendText/${this.peer}`, { number: A, text: 'hello from the peer' }, this.peer);
      const id = sent.key.id as string;
      await waitFor(async () => (await this.call('POST', `/chat/findMessages/${this.instance}`, { where: { key: { id } } })).body?.messages?.total === 1, 5000, 'the peer text to be stored');
      return { id, remoteJid: jidOf(B), fromMe: false };
    });
  }

  /** An image the instance sent (base64), as its stored record. */
  sentImage(): Promise<any> {
    return this.once('sentImage', () => this.must('a sent image', 'POST', `/message/sendMedia/${this.instance}`, { number: B, mediatype: 'image', media: PNG_BASE64, caption: 'contract image', fileName: 'pixel.png' }));
  }

  /** A group the instance created with the peer in it. */
  group(): Promise<string> {
    return this.once('group', async () => (await this.must('a group', 'POST', `/group/create/${this.instance}`, { subject: 'Contract group', participants: [B] })).id as string);
  }

  /** A group of its own for leaveGroup, so the other group routes keep theirs. */
  groupToLeave(): Promise<string> {
    return this.once('groupToLeave', async () => (await this.must('a group to leave', 'POST', `/group/create/${this.instance}`, { subject: 'Contract leave', participants: [B] })).id as string);
  }

  inviteCode(): Promise<string> {
    return this.once('inviteCode', async () => (await this.must('an invite code', 'GET', `/group/inviteCode/${this.instance}?groupJid=${await this.group()}`)).inviteCode as string);
  }

  /** A group the peer is not in yet, for acceptInviteCode. */
  openGroupInvite(): Promise<string> {
    return this.once('openGroupInvite', async () => {
      const id = (await this.must('a second group', 'POST', `/group/create/${this.instance}`, { subject: 'Contract join', participants: ['5511977770099'] })).id as string;
      return (await this.must('its invite code', 'GET', `/group/inviteCode/${this.instance}?groupJid=${id}`)).inviteCode as string;
    });
  }

  labelId(): Promise<string> {
    return this.once('labelId', async () => {
      const labels = await this.must('the labels', 'GET', `/label/findLabels/${this.instance}`);
      if (!Array.isArray(labels) || !labels.length) throw new Error(`fixture "a label": /label/findLabels answered ${JSON.stringify(labels)}`);
      return String(labels[0].id);
    });
  }

  /** An approved template of the instance's business account. */
  approvedTemplate(): Promise<{ name: string; id: string }> {
    return this.once('template', async () => {
      const row = await this.must('a template', 'POST', `/template/create/${this.instance}`, { name: 'contract_notice', category: 'UTILITY', language: 'en_US', components: [{ type: 'BODY', text: 'Hello {{1}}', example: { body_text: [['Ana']] } }] });
      await waitFor(async () => ((await this.call('GET', `/template/find/${this.instance}`)).body as any[]).some((t) => t.name === 'contract_notice' && t.status === 'APPROVED'), 5000, 'the template to be approved');
      return { name: 'contract_notice', id: row.templateId as string };
    });
  }

  /** A template to delete. */
  disposableTemplate(): Promise<string> {
    return this.once('disposable', async () => {
      await this.must('a template to delete', 'POST', `/template/create/${this.instance}`, { name: 'contract_disposable', category: 'MARKETING', language: 'en_US', components: [{ type: 'BODY', text: 'Bye' }] });
      return 'contract_disposable';
    });
  }

  /** The id of a stored media row (the sent image's). */
  mediaId(): Promise<string> {
    return this.once('mediaId', async () => {
      const image = await this.sentImage();
      const rows = await this.must('the media rows', 'POST', `/s3/getMedia/${this.instance}`, {});
      const mine = Array.isArray(rows) ? (rows.find((r: any) => r.Message?.key?.id === image.key.id) ?? rows[0]) : undefined;
      if (!mine) throw new Error(`fixture "a media row": /s3/getMedia answered ${JSON.stringify(rows)}`);
      return String(mine.id);
    });
  }
}
