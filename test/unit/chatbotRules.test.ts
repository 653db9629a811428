import { describe, expect, it } from 'vitest';
import { advancedMatch, botForMessage, isIgnored } from '../../src/chatbots/engine/triggers.js';
import { expandMarkdownMedia, mediaKindOf } from '../../src/chatbots/engine/answers.js';
import { richTextToWhatsApp } from '../../src/chatbots/providers/typebot.js';
import { inputOf, joined } from '../../src/chatbots/engine/input.js';
import type { Bot } from '../../src/chatbots/types.js';
import type { StoredMessage } from '../../src/domain/types.js';

const bot = (id: string, over: Partial<Bot>): Bot => ({ id, instanceId: 'i', kind: 'evolutionBot', enabled: true, description: null, triggerType: 'keyword', triggerOperator: 'equals', triggerValue: null, behaviour: {}, config: {}, secrets: {}, createdAt: '', updatedAt: '', ...over });

describe('advanced triggers', () => {
  it('same operator: alternatives; different operators: all must hold; commas: all parts; accents and case ignored', () => {
    expect(advancedMatch('Quero um Reembolso já', 'contains:reembolso')).toBe(true);
    expect(advancedMatch('quero cancelar', 'contains:reembolso contains:cancelar')).toBe(true);
    expect(advancedMatch('quero cancelar agora', 'contains:cancelar notContains:agora')).toBe(false);
    expect(advancedMatch('pedido 42 atrasado', 'contains:pedido,atrasado')).toBe(true);
    expect(advancedMatch('pedido 42', 'contains:pedido,atrasado')).toBe(false);
    expect(advancedMatch('Olá', 'exact:ola')).toBe(true);
    expect(advancedMatch('hello world', 'startsWith:hello endsWith:world')).toBe(true);
    expect(advancedMatch('anything', 'unknown:x')).toBe(false);
    expect(advancedMatch('anything', '')).toBe(false);
  });
});

describe('which bot a message goes to', () => {
  it('all/none first, then advanced, then keyword operators in order; disabled and start-only bots never', () => {
    const bots = [bot('c', { triggerOperator: 'contains', triggerValue: 'a' }), bot('e', { triggerOperator: 'equals', triggerValue: 'abc' }), bot('adv', { triggerType: 'advanced', triggerValue: 'contains:zz' })];
    expect(botForMessage(bots, 'abc')?.id).toBe('e');
    expect(botForMessage(bots, 'xa')?.id).toBe('c');
    expect(botForMessage(bots, 'zza')?.id).toBe('adv');
    expect(botForMessage([...bots, bot('all', { triggerType: 'all' })], 'abc')?.id).toBe('all');
    expect(botForMessage([bot('off', { triggerType: 'all', enabled: false }), bot('start', { triggerType: 'none', config: { startOnly: true } })], 'x')).toBeUndefined();
    expect(botForMessage([bot('bad', { triggerOperator: 'regex', triggerValue: '(' })], '(')).toBeUndefined();
  });

  it('ignoreJids: exact JIDs, every group, every contact', () => {
    expect(isIgnored(['@g.us'], '123-456@g.us')).toBe(true);
    expect(isIgnored(['@g.us'], '5511@s.whatsapp.net')).toBe(false);
    expect(isIgnored(['@s.whatsapp.net'], '5511@s.whatsapp.net')).toBe(true);
    expect(isIgnored(['5511@s.whatsapp.net'], '5511@s.whatsapp.net')).toBe(true);
    expect(isIgnored([], '5511@s.whatsapp.net')).toBe(false);
  });
});

describe('answers', () => {
  it('Markdown links to media files become media; other links stay in the text', () => {
    expect(expandMarkdownMedia('See ![Chart](https://x.io/c.png) and [docs](https://x.io/page) ok')).toEqual([
      { type: 'text', text: 'See' },
      { type: 'media', mediatype: 'image', url: 'https://x.io/c.png', caption: 'Chart' },
      { type: 'text', text: 'and [docs](https://x.io/page) ok' },
    ]);
    expect(expandMarkdownMedia('[Invoice](https://x.io/inv.pdf)')).toEqual([{ type: 'media', mediatype: 'document', url: 'https://x.io/inv.pdf', caption: 'Invoice', fileName: 'Invoice' }]);
    expect(mediaKindOf('https://x.io/a.ogg?sig=1')).toBe('audio');
    expect(mediaKindOf('https://x.io/a')).toBeUndefined();
  });

  it("Typebot's rich text as WhatsApp text", () => {
    expect(richTextToWhatsApp([{ type: 'p', children: [{ text: 'Hi ' }, { text: 'you', bold: true }, { text: ', see ' }, { type: 'a', url: 'https://t.io', children: [{ text: 'this' }] }] }, { type: 'p', children: [{ text: 'bye', italic: true }] }])).toBe('Hi *you*, see this (https://t.io)\n_bye_');
  });
});

describe('what a message says to a bot', () => {
  const msg = (messageType: string, message: Record<string, unknown>): StoredMessage => ({ id: 'r', key: { id: 'k', remoteJid: 'j', fromMe: false }, pushName: 'Ana', status: 'DELIVERY_ACK', message, contextInfo: null, messageType, messageTimestamp: 1, instanceId: 'i', source: 'android' });
  it('texts, choice replies by id, media with caption and URL; reactions are not said', () => {
    expect(inputOf(msg('conversation', { conversation: 'hi' }))?.text).toBe('hi');
    expect(inputOf(msg('extendedTextMessage', { extendedTextMessage: { text: 'link' } }))?.text).toBe('link');
    expect(inputOf(msg('listResponseMessage', { listResponseMessage: { title: 'Pizza', singleSelectReply: { selectedRowId: 'pizza' } } }))?.text).toBe('pizza');
    expect(inputOf(msg('buttonsResponseMessage', { buttonsResponseMessage: { selectedButtonId: 'yes', selectedDisplayText: 'Yes' } }))?.text).toBe('yes');
    expect(inputOf(msg('imageMessage', { imageMessage: { caption: 'look', mimetype: 'image/png' }, mediaUrl: 'https://gw/m/1' }))).toMatchObject({ text: 'look', media: { type: 'image', url: 'https://gw/m/1', mimetype: 'image/png' } });
    expect(inputOf(msg('reactionMessage', { reactionMessage: { text: '👍' } }))).toBeUndefined();
    const a = inputOf(msg('conversation', { conversation: 'one' }))!;
    const b = inputOf(msg('audioMessage', { audioMessage: { mimetype: 'audio/ogg' } }))!;
    expect(joined([a, b])).toMatchObject({ text: 'one', media: { type: 'audio' } });
  });
});
