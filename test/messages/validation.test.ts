import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPair, type Pair } from './pair.js';

const CONTACT = '5511988880005';
const JID = `${CONTACT}@s.whatsapp.net`;
const KEY = { id: '3EB0AAAAAAAAAAAAAAAA', remoteJid: JID, fromMe: true };

interface RouteCase {
  method: 'POST' | 'DELETE';
  action: string;
  body: Record<string, unknown>;
  ok: number;
  /** Each bad body and the messages upstream answers it with. */
  bad: Array<[string, Record<string, unknown>, unknown[]]>;
}

const without = (body: Record<string, unknown>, field: string) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== field));

const location = { number: CONTACT, latitude: -23.5, longitude: -46.6, name: 'MASP', address: 'Paulista' };
const contact = { number: CONTACT, contact: [{ fullName: 'Ana', phoneNumber: '5511988770001' }] };
const reaction = { key: KEY, reaction: '👍' };
const poll = { number: CONTACT, name: 'Q?', selectableCount: 1, values: ['a', 'b'] };
const list = { number: CONTACT, title: 'T', footerText: 'F', buttonText: 'B', sections: [{ title: 'S', rows: [{ title: 'R', rowId: 'r1' }] }] };
const buttons = { number: CONTACT, title: 'T', buttons: [{ type: 'reply', displayText: 'Yes', id: 'y' }] };

const CASES: RouteCase[] = [
  {
    method: 'POST', action: 'message/sendLocation', body: location, ok: 201,
    bad: [
      ...(['number', 'latitude', 'longitude', 'name', 'address'] as const).map((f): [string, Record<string, unknown>, unknown[]] => [`no ${f}`, without(location, f), [`instance requires property "${f}"`]]),
      ['latitude as text', { ...location, latitude: '-23.5' }, ['latitude is not of a type(s) number']],
      ['number not a string', { ...location, number: 5511 }, ['Invalid format']],
    ],
  },
  {
    method: 'POST', action: 'message/sendContact', body: contact, ok: 201,
    bad: [
      ['no contact', without(contact, 'contact'), ['instance requires property "contact"']],
      ['no cards', { ...contact, contact: [] }, ['contact does not meet minimum length of 1']],
      ['no fullName', { ...contact, contact: [{ phoneNumber: '5511988770001' }] }, ['contact[0] requires property "fullName"']],
      ['empty fullName', { ...contact, contact: [{ fullName: '', phoneNumber: '5511988770001' }] }, ['The "fullName" cannot be empty']],
      ['no phoneNumber', { ...contact, contact: [{ fullName: 'Ana' }] }, ['contact[0] requires property "phoneNumber"']],
      ['short phoneNumber', { ...contact, contact: [{ fullName: 'Ana', phoneNumber: '123456789' }] }, ['contact[0].phoneNumber does not meet minimum length of 10']],
      ['wuid not digits', { ...contact, contact: [{ fullName: 'Ana', phoneNumber: '5511988770001', wuid: 'abcdefghijkl' }] }, ['"wuid" must be a numeric string']],
    ],
  },
  {
    method: 'POST', action: 'message/sendReaction', body: reaction, ok: 201,
    bad: [
      ['no key', without(reaction, 'key'), ['instance requires property "key"']],
      ['no reaction', without(reaction, 'reaction'), ['instance requires property "reaction"']],
      ['key without id', { ...reaction, key: without(KEY, 'id') }, ['key requires property "id"']],
      ['key without remoteJid', { ...reaction, key: without(KEY, 'remoteJid') }, ['key requires property "remoteJid"']],
      ['key without fromMe', { ...reaction, key: without(KEY, 'fromMe') }, ['key requires property "fromMe"']],
      ['empty id', { ...reaction, key: { ...KEY, id: '' } }, ['The "id" cannot be empty']],
      ['text', { ...reaction, reaction: 'yes' }, ['Reaction must be a single emoji or empty string']],
    ],
  },
  {
    method: 'POST', action: 'message/sendPoll', body: poll, ok: 201,
    bad: [
      ...(['number', 'name', 'selectableCount', 'values'] as const).map((f): [string, Record<string, unknown>, unknown[]] => [`no ${f}`, without(poll, f), [`instance requires property "${f}"`]]),
      ['one value', { ...poll, values: ['a'] }, ['values does not meet minimum length of 2']],
      ['eleven values', { ...poll, values: 'abcdefghijk'.split('') }, ['values does not meet maximum length of 10']],
      ['repeated values', { ...poll, values: ['a', 'a'] }, ['values contains duplicate item']],
      ['selectableCount 11', { ...poll, selectableCount: 11 }, ['selectableCount must be less than or equal to 10']],
      ['selectableCount -1', { ...poll, selectableCount: -1 }, ['selectableCount must be greater than or equal to 0']],
      ['selectableCount above the options', { ...poll, selectableCount: 3 }, ['Error: poll.selectableCount in poll should be >= 0 and <= 2']],
    ],
  },
  {
    method: 'POST', action: 'message/sendList', body: list, ok: 201,
    bad: [
      ...(['number', 'title', 'footerText', 'buttonText', 'sections'] as const).map((f): [string, Record<string, unknown>, unknown[]] => [`no ${f}`, without(list, f), [`instance requires property "${f}"`]]),
      ['no sections', { ...list, sections: [] }, ['sections does not meet minimum length of 1']],
      ['section without rows', { ...list, sections: [{ title: 'S' }] }, ['sections[0] requires property "rows"']],
      ['row without rowId', { ...list, sections: [{ title: 'S', rows: [{ title: 'R' }] }] }, ['sections[0].rows[0] requires property "rowId"']],
      ['empty row title', { ...list, sections: [{ title: 'S', rows: [{ title: '', rowId: 'r' }] }] }, ['The "title" cannot be empty']],
    ],
  },
  {
    method: 'POST', action: 'message/sendButtons', body: buttons, ok: 201,
    bad: [
      ['no number', without(buttons, 'number'), ['instance requires property "number"']],
      ['no buttons', without(buttons, 'buttons'), ['At least one button is required']],
      ['no type', { ...buttons, buttons: [{ displayText: 'x', id: 'x' }] }, ['buttons[0] requires property "type"']],
      ['unknown type', { ...buttons, buttons: [{ type: 'menu', displayText: 'x' }] }, ['buttons[0].type is not one of enum values: reply,copy,url,call,pix']],
      ['reply without id', { ...buttons, buttons: [{ type: 'reply', displayText: 'x' }] }, ['buttons[0] requires property "id"']],
      ['url without url', { ...buttons, buttons: [{ type: 'url', displayText: 'x' }] }, ['buttons[0] requires property "url"']],
      ['call without phoneNumber', { ...buttons, buttons: [{ type: 'call', displayText: 'x' }] }, ['buttons[0] requires property "phoneNumber"']],
      ['copy without copyCode', { ...buttons, buttons: [{ type: 'copy', displayText: 'x' }] }, ['buttons[0] requires property "copyCode"']],
      ['pix without key', { ...buttons, buttons: [{ type: 'pix', currency: 'BRL', name: 'n', keyType: 'cpf' }] }, ['buttons[0] requires property "key"']],
      ['bad keyType', { ...buttons, buttons: [{ type: 'pix', currency: 'BRL', name: 'n', keyType: 'iban', key: 'k' }] }, ['buttons[0].keyType is not one of enum values: phone,email,cpf,cnpj,random']],
      ['four replies', { ...buttons, buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', displayText: `${i}`, id: `${i}` })) }, ['Maximum of 3 reply buttons allowed']],
      ['reply and url', { ...buttons, buttons: [{ type: 'reply', displayText: 'a', id: 'a' }, { type: 'url', displayText: 'b', url: 'https://b.test' }] }, ['Reply buttons cannot be mixed with CTA or PIX buttons']],
      ['three CTAs', { ...buttons, buttons: [1, 2, 3].map((i) => ({ type: 'url', displayText: `${i}`, url: `https://${i}.test` })) }, ['Maximum of 2 CTA buttons allowed']],
      ['two PIX', { ...buttons, buttons: [1, 2].map(() => ({ type: 'pix', currency: 'BRL', name: 'n', keyType: 'cpf', key: 'k' })) }, ['Only one PIX button is allowed']],
    ],
  },
  {
    method: 'POST', action: 'chat/updateMessage', body: { number: CONTACT, key: KEY, text: 'x' }, ok: 400,
    bad: [
      ['empty text', { number: CONTACT, key: KEY, text: '' }, ['The "text" cannot be empty']],
      ['key without fromMe', { number: CONTACT, key: without(KEY, 'fromMe'), text: 'x' }, ['key requires property "fromMe"']],
      ['empty key id', { number: CONTACT, key: { ...KEY, id: '' }, text: 'x' }, ['The "id" cannot be empty']],
    ],
  },
  {
    method: 'DELETE', action: 'chat/deleteMessageForEveryone', body: { id: KEY.id, fromMe: true, remoteJid: JID }, ok: 201,
    bad: [
      ...(['id', 'fromMe', 'remoteJid'] as const).map((f): [string, Record<string, unknown>, unknown[]] => [`no ${f}`, without({ id: KEY.id, fromMe: true, remoteJid: JID }, f), [`instance requires property "${f}"`]]),
      ['empty participant', { id: KEY.id, fromMe: true, remoteJid: JID, participant: '' }, ['The "participant" cannot be empty']],
    ],
  },
  {
    method: 'POST', action: 'chat/markMessageAsPlayed', body: { playedMessages: [{ id: KEY.id, fromMe: false, remoteJid: JID }] }, ok: 201,
    bad: [
      ['no playedMessages', {}, ['instance requires property "playedMessages"']],
      ['empty list', { playedMessages: [] }, ['playedMessages does not meet minimum length of 1']],
      ['key without id', { playedMessages: [{ fromMe: false, remoteJid: JID }] }, ['playedMessages[0] requires property "id"']],
    ],
  },
  {
    method: 'POST', action: 'chat/getPollVote', body: { message: { key: { id: KEY.id } }, remoteJid: JID }, ok: 404,
    bad: [
      ['no message', { remoteJid: JID }, ['instance requires property "message"']],
      ['no remoteJid', { message: { key: { id: KEY.id } } }, ['instance requires property "remoteJid"']],
      ['no key id', { message: { key: {} }, remoteJid: JID }, ['message.key requires property "id"']],
    ],
  },
];

describe('message routes: validation, auth, unknown and disconnected instances', () => {
  let p: Pair;
  beforeAll(async () => {
    p = await startPair('val', ['5511950000001', '5511950000002']);
    await p.server.call('POST', '/instance/create', { instanceName: 'val-offline', integration: 'SANDBOX' });
  });
  afterAll(async () => p?.stop());

  for (const c of CASES) {
    describe(`${c.method} /${c.action}`, () => {
      it(`a well-formed request -> ${c.ok}`, async () => {
        const res = await p.as(p.a, c.method, `/${c.action}/${p.a.name}`, c.body);
        expect(res.status, JSON.stringify(res.body)).toBe(c.ok);
      });

      for (const [label, body, message] of c.bad) {
        it(`${label} -> 400 ${JSON.stringify(message)}`, async () => {
          const res = await p.as(p.a, c.method, `/${c.action}/${p.a.name}`, body);
          expect(res.status).toBe(400);
          expect(res.body).toEqual({ status: 400, error: 'Bad Request', response: { message } });
        });
      }

      it("another instance's token -> 401; an unknown instance -> 404", async () => {
        const foreign = await p.as(p.b, c.method, `/${c.action}/${p.a.name}`, c.body);
        expect(foreign).toMatchObject({ status: 401, body: { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } } });
        const unknown = await p.server.call(c.method, `/${c.action}/val-nobody`, c.body);
        expect(unknown).toMatchObject({ status: 404, body: { status: 404, error: 'Not Found', response: { message: ['The "val-nobody" instance does not exist'] } } });
      });
    });
  }

  it('every send on an instance that is not connected -> 400, nothing stored', async () => {
    for (const c of CASES.filter((x) => x.ok === 201)) {
      const res = await p.server.call(c.method, `/${c.action}/val-offline`, c.body);
      expect(res, c.action).toMatchObject({ status: 400, body: { status: 400, error: 'Bad Request', response: { message: ['The "val-offline" instance is not connected'] } } });
    }
    const stored = await p.server.call('POST', '/chat/findMessages/val-offline', {});
    expect(stored.body.messages.total).toBe(0);
  });

  it('the routes are in the OpenAPI document under their tags', async () => {
    const docs = (await p.server.call('GET', '/docs/json', undefined, null)).body;
    for (const c of CASES) {
      const op = docs.paths[`/${c.action}/{instanceName}`]?.[c.method.toLowerCase()];
      expect(op, c.action).toBeDefined();
      expect(op.tags).toEqual([c.action.split('/')[0]]);
      expect(typeof op.summary).toBe('string');
    }
    for (const control of ['vote', 'castVote', 'react', 'edit', 'delete']) expect(docs.paths[`/sandbox/${control}/{instanceName}`]?.post?.tags).toEqual(['sandbox']);
  });
}, 90_000);
