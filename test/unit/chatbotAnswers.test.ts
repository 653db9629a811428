import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { AnswerSender } from '../../src/chatbots/engine/answers.js';
import type { MessageService } from '../../src/domain/messages.js';
import type { MediaMessageService } from '../../src/domain/mediaMessages.js';
import type { LiveInstance } from '../../src/domain/registry.js';
import { DEFAULT_BEHAVIOUR } from '../../src/chatbots/types.js';

/** How answers leave: lists and buttons where the channel has them, numbered text where it does not; typing delays. */
function harness(capabilities: string[]) {
  const sent: Array<{ delay?: number; content: any }> = [];
  const media: any[] = [];
  const messages = { send: async (_l: unknown, input: { delay?: number }, content: unknown) => void sent.push({ delay: input.delay, content }) } as unknown as MessageService;
  const mediaService = { sendMedia: async (_l: unknown, input: unknown) => void media.push(input), sendWhatsAppAudio: async (_l: unknown, input: unknown) => void media.push(input) } as unknown as MediaMessageService;
  const live = { name: 'x', driver: { capabilities: new Set(capabilities) } } as unknown as LiveInstance;
  return { sender: new AnswerSender(messages, mediaService, pino({ level: 'silent' })), sent, media, live };
}

describe('answer sender', () => {
  const list = { type: 'list' as const, title: 'Menu', buttonText: 'Open', sections: [{ title: 'Mains', rows: [{ title: 'Pizza', rowId: 'pizza' }, { title: 'Pasta', rowId: 'pasta' }] }] };
  const buttons = { type: 'buttons' as const, description: 'Choose one', buttons: [{ id: 'yes', displayText: 'Yes' }, { id: 'no', displayText: 'No' }] };

  it('sends lists and buttons as such where the channel can', async () => {
    const h = harness(['send:text', 'send:list', 'send:buttons']);
    await h.sender.send(h.live, '5511@s.whatsapp.net', [list, buttons], { ...DEFAULT_BEHAVIOUR, delayMessage: 0 });
    expect(h.sent.map((s) => s.content.kind)).toEqual(['list', 'buttons']);
    expect(h.sent[1]!.content.buttons).toEqual([{ type: 'reply', id: 'yes', displayText: 'Yes' }, { type: 'reply', id: 'no', displayText: 'No' }]);
  });

  it('falls back to numbered text where it cannot', async () => {
    const h = harness(['send:text']);
    await h.sender.send(h.live, '5511@s.whatsapp.net', [list, buttons], { ...DEFAULT_BEHAVIOUR, delayMessage: 0 });
    expect(h.sent.map((s) => s.content)).toEqual([{ kind: 'text', text: 'Menu\n1. Pizza\n2. Pasta' }, { kind: 'text', text: 'Choose one\n1. Yes\n2. No' }]);
  });

  it('types for delayMessage + timePerChar x length (at most 20 s), per paragraph with splitMessages; media links as media', async () => {
    const h = harness(['send:text']);
    await h.sender.send(h.live, '5511@s.whatsapp.net', [{ type: 'text', text: 'Hello there.\n\nSee ![Chart](https://x.io/c.png)\n\n' + 'x'.repeat(500) }], { ...DEFAULT_BEHAVIOUR, delayMessage: 100, timePerChar: 50, splitMessages: true });
    expect(h.sent.map((s) => [s.content.text?.slice(0, 12), s.delay])).toEqual([['Hello there.', 100 + 12 * 50], ['See', 100 + 3 * 50], ['xxxxxxxxxxxx', 20_000]]);
    expect(h.media).toEqual([{ number: '5511@s.whatsapp.net', delay: 100, mediatype: 'image', media: 'https://x.io/c.png', caption: 'Chart' }]);
  });
});
