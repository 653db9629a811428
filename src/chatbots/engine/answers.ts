import type { Logger } from 'pino';
import type { MessageService } from '../../domain/messages.js';
import type { MediaMessageService } from '../../domain/mediaMessages.js';
import type { LiveInstance } from '../../domain/registry.js';
import { sendCapability } from '../../channels/capabilities.js';
import type { Answer, Behaviour } from '../types.js';

/** The longest "typing" shown before one answer part. */
const MAX_TYPING_MS = 20_000;

const EXTENSIONS: Record<string, 'image' | 'audio' | 'video' | 'document'> = {
  jpg: 'image', jpeg: 'image', png: 'image', gif: 'image', bmp: 'image', webp: 'image',
  mp3: 'audio', wav: 'audio', aac: 'audio', ogg: 'audio', oga: 'audio', opus: 'audio', m4a: 'audio',
  mp4: 'video', avi: 'video', mkv: 'video', mov: 'video', webm: 'video',
  pdf: 'document', doc: 'document', docx: 'document', xls: 'document', xlsx: 'document', ppt: 'document', pptx: 'document', txt: 'document', csv: 'document', zip: 'document',
};

/** The media kind a URL's file extension names, if any. */
export function mediaKindOf(url: string): 'image' | 'audio' | 'video' | 'document' | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    /* not absolute: use as is */
  }
  const ext = path.split('.').pop()?.toLowerCase() ?? '';
  return EXTENSIONS[ext];
}

/**
 * Bot text may link media in Markdown (`![alt](https://host/a.png)` or `[alt](https://host/a.pdf)`): a link to a
 * file of a known media kind becomes a media answer, with the alt text as caption; other links stay in the text.
 */
export function expandMarkdownMedia(text: string): Answer[] {
  const out: Answer[] = [];
  const link = /!?\[([^\]]*)\]\((\S+?)\)/g;
  let buffer = '';
  let last = 0;
  for (let m = link.exec(text); m; m = link.exec(text)) {
    const [whole, alt, url] = m as unknown as [string, string, string];
    buffer += text.slice(last, m.index);
    last = m.index + whole.length;
    const kind = /^https?:\/\//i.test(url) ? mediaKindOf(url) : undefined;
    if (!kind) {
      buffer += whole;
      continue;
    }
    if (buffer.trim()) out.push({ type: 'text', text: buffer.trim() });
    buffer = '';
    out.push({ type: 'media', mediatype: kind, url, ...(alt ? { caption: alt } : {}), ...(kind === 'document' ? { fileName: alt || url.split('/').pop() || 'document' } : {}) });
  }
  buffer += text.slice(last);
  if (buffer.trim()) out.push({ type: 'text', text: buffer.trim() });
  return out;
}

/** A list or buttons as plain text, for channels that cannot send them. */
function asText(a: Extract<Answer, { type: 'list' | 'buttons' }>): string {
  if (a.type === 'buttons') return [a.title, a.description, ...a.buttons.map((b, i) => `${i + 1}. ${b.displayText}`), a.footer].filter(Boolean).join('\n');
  const rows = a.sections.flatMap((s) => s.rows);
  return [a.title, a.description, ...rows.map((r, i) => `${i + 1}. ${r.title}`), a.footerText].filter(Boolean).join('\n');
}

/**
 * Sends a bot's answers through the same pipeline as API sends (so they are stored, acked and seen by webhooks),
 * one after the other, each after `delayMessage` (+ `timePerChar` per character) of "typing".
 */
export class AnswerSender {
  constructor(private readonly messages: MessageService, private readonly media: MediaMessageService, private readonly logger: Logger) {}

  async send(live: LiveInstance, remoteJid: string, answers: Answer[], b: Behaviour): Promise<void> {
    for (const answer of answers.flatMap((a) => (a.type === 'text' ? expandMarkdownMedia(a.text) : [a]))) {
      try {
        await this.one(live, remoteJid, answer, b);
      } catch (err) {
        this.logger.warn({ instance: live.name, remoteJid, answer: answer.type, err: (err as Error).message }, 'bot answer not sent');
      }
    }
  }

  private typing(b: Behaviour, chars: number): number {
    return Math.min(b.delayMessage + chars * b.timePerChar, MAX_TYPING_MS);
  }

  private async one(live: LiveInstance, number: string, a: Answer, b: Behaviour): Promise<void> {
    const can = (kind: 'list' | 'buttons') => live.driver.capabilities.has(sendCapability(kind));
    switch (a.type) {
      case 'text': {
        const parts = b.splitMessages ? a.text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean) : [a.text];
        for (const text of parts) await this.messages.send(live, { number, delay: this.typing(b, text.length) }, { kind: 'text', text });
        return;
      }
      case 'media': {
        const delay = this.typing(b, 0);
        if (a.mediatype === 'audio') await this.media.sendWhatsAppAudio(live, { number, delay, audio: a.url });
        else await this.media.sendMedia(live, { number, delay, mediatype: a.mediatype, media: a.url, ...(a.caption ? { caption: a.caption } : {}), ...(a.fileName ? { fileName: a.fileName } : {}) });
        return;
      }
      case 'list': {
        const delay = this.typing(b, a.title.length);
        if (can('list')) await this.messages.send(live, { number, delay }, { kind: 'list', title: a.title, buttonText: a.buttonText, sections: a.sections, ...(a.description ? { description: a.description } : {}), ...(a.footerText ? { footerText: a.footerText } : {}) });
        else await this.messages.send(live, { number, delay }, { kind: 'text', text: asText(a) });
        return;
      }
      case 'buttons': {
        const delay = this.typing(b, (a.title ?? '').length);
        if (can('buttons')) await this.messages.send(live, { number, delay }, { kind: 'buttons', ...(a.title ? { title: a.title } : {}), ...(a.description ? { description: a.description } : {}), ...(a.footer ? { footer: a.footer } : {}), buttons: a.buttons.map((x) => ({ type: 'reply', id: x.id, displayText: x.displayText })) });
        else await this.messages.send(live, { number, delay }, { kind: 'text', text: asText(a) });
      }
    }
  }
}
