import type { FastifyInstance } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, NotEmptyStrict, Obj, StoredMessageSchema } from '../schemas.js';
import { CommonSendFields, RecipientFields } from '../sendSchemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { CommonSendInput } from '../../domain/messages.js';
import type { Button, OutboundContent } from '../../channels/content.js';
import { assertButtons, assertPollValues, assertReaction, contactCards } from '../../domain/messageInputs.js';
import { withExamples } from '../openapi.js';

/** A string that, when given, must not be empty (upstream's isNotEmpty rule and its wording). */

const SendTextBody = withExamples(Obj({ ...RecipientFields, text: Type.String({ maxLength: 65536 }) }), { number: '5511999999999', text: 'Hello! See https://example.com', linkPreview: true, mentioned: ['5511988887777'] });

const SendLocationBody = withExamples(Obj({ ...RecipientFields, latitude: Type.Number(), longitude: Type.Number(), name: Type.String(), address: Type.String() }), { number: '5511999999999', latitude: -23.5613, longitude: -46.6565, name: 'MASP', address: 'Av. Paulista, 1578, São Paulo' });

const ContactSchema = Obj({
  fullName: NotEmptyStrict('fullName'),
  phoneNumber: Type.String({ minLength: 10 }),
  wuid: Type.Optional(Type.String({ minLength: 10, pattern: '\\d+', 'x-error': '"wuid" must be a numeric string' } as never)),
  organization: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
});
const SendContactBody = withExamples(Obj({ ...RecipientFields, contact: Type.Array(ContactSchema, { minItems: 1, maxItems: 100 }) }), { number: '5511999999999', contact: [{ fullName: 'Ana Souza', phoneNumber: '+55 11 98877-0001', organization: 'ACME', email: 'ana@acme.example' }] });

const ReactionKey = Obj({ id: NotEmptyStrict('id'), remoteJid: NotEmptyStrict('remoteJid'), fromMe: Type.Boolean(), participant: Type.Optional(Type.String()) });
const SendReactionBody = withExamples(Obj({ ...CommonSendFields, key: ReactionKey, reaction: Type.String({ description: 'One emoji, or "" to remove the reaction' }) }), { key: { id: '3EB0A1B2C3D4E5F60718', remoteJid: '5511999999999@s.whatsapp.net', fromMe: false }, reaction: '👍' }, { key: { id: '3EB0A1B2C3D4E5F60718', remoteJid: '5511999999999@s.whatsapp.net', fromMe: false }, reaction: '' });

const SendPollBody = withExamples(Obj({
  ...RecipientFields,
  name: Type.String({ maxLength: 4096 }),
  selectableCount: Type.Integer({ minimum: 0, maximum: 10, description: '0 = any number of options' }),
  values: Type.Array(Type.String({ maxLength: 1024 }), { minItems: 2, maxItems: 10 }),
}), { number: '5511999999999', name: 'Lunch?', selectableCount: 1, values: ['pizza', 'sushi', 'salad'] });

const ListRow = Obj({ title: NotEmptyStrict('title'), description: Type.Optional(NotEmptyStrict('description')), rowId: NotEmptyStrict('rowId') });
const ListSection = Obj({ title: NotEmptyStrict('title'), rows: Type.Array(ListRow, { minItems: 1 }) });
const SendListBody = withExamples(Obj({
  ...RecipientFields,
  title: Type.String(),
  description: Type.Optional(Type.String()),
  footerText: Type.String(),
  buttonText: Type.String(),
  sections: Type.Array(ListSection, { minItems: 1 }),
}), { number: '5511999999999', title: 'Menu', description: 'Pick one', footerText: 'Open 11-23h', buttonText: 'See the menu', sections: [{ title: 'Mains', rows: [{ title: 'Pizza', description: 'Margherita', rowId: 'pizza' }, { title: 'Sushi', rowId: 'sushi' }] }] });

const ButtonSchema = Obj({
  type: Type.String({ enum: ['reply', 'copy', 'url', 'call', 'pix'] }),
  displayText: Type.Optional(Type.String()),
  id: Type.Optional(NotEmptyStrict('id')),
  url: Type.Optional(NotEmptyStrict('url')),
  copyCode: Type.Optional(Type.String()),
  phoneNumber: Type.Optional(NotEmptyStrict('phoneNumber')),
  currency: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  keyType: Type.Optional(Type.String({ enum: ['phone', 'email', 'cpf', 'cnpj', 'random'] })),
  key: Type.Optional(Type.String()),
});
const SendButtonsBody = withExamples(Obj({
  ...RecipientFields,
  title: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  footer: Type.Optional(Type.String()),
  thumbnailUrl: Type.Optional(Type.String()),
  buttons: Type.Optional(Type.Array(ButtonSchema, { maxItems: 10 })),
}), { number: '5511999999999', title: 'Confirm your order', description: 'Order #12', footer: 'ACME', buttons: [{ type: 'reply', displayText: 'Yes', id: 'yes' }, { type: 'reply', displayText: 'No', id: 'no' }] }, { number: '5511999999999', title: 'Links', buttons: [{ type: 'url', displayText: 'Our site', url: 'https://acme.example' }, { type: 'call', displayText: 'Call us', phoneNumber: '+5511999990000' }] });

type P = { instanceName: string };

/** The /message send routes of every non-media kind; each answers 201 with the stored record of what was sent. */
export function messageRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  /** One send route: validates, turns the body into content, sends through the domain (number check, quote, delay, record). */
  const send = <B extends TSchema>(action: string, summary: string, body: B, content: (b: Static<B>) => { input: CommonSendInput; content: OutboundContent }) =>
    app.post<{ Params: P; Body: Static<B> }>(
      `/message/${action}/:instanceName`,
      { onRequest: guards.instance, schema: { tags: ['message'], summary, params: InstanceParams, body, response: { 201: StoredMessageSchema, ...errorResponses } } },
      async (request, reply) => {
        const what = content(request.body as Static<B>);
        const result = await gateway.messages.send(request.live as LiveInstance, what.input, what.content);
        reply.status(201);
        return result;
      },
    );

  app.post<{ Params: P; Body: Static<typeof SendTextBody> }>(
    '/message/sendText/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['message'], summary: 'Send a text message', params: InstanceParams, body: SendTextBody, response: { 201: StoredMessageSchema, ...errorResponses } } },
    async (request, reply) => {
      const result = await gateway.messages.sendText(request.live as LiveInstance, request.body);
      reply.status(201);
      return result;
    },
  );

  send('sendLocation', 'Send a location pin', SendLocationBody, (b) => ({ input: b, content: { kind: 'location', latitude: b.latitude, longitude: b.longitude, name: b.name, address: b.address } }));

  send('sendContact', 'Send one contact card (contactMessage) or several (contactsArrayMessage)', SendContactBody, (b) => ({ input: b, content: { kind: 'contacts', contacts: contactCards(b.contact) } }));

  send('sendReaction', 'React to a message with one emoji, or remove the reaction with ""', SendReactionBody, (b) => {
    assertReaction(b.reaction);
    return { input: { ...b, number: b.key.remoteJid }, content: { kind: 'reaction', key: b.key, emoji: b.reaction } };
  });

  send('sendPoll', 'Send a poll (votes arrive as messages.update with pollUpdates; read them with /chat/getPollVote)', SendPollBody, (b) => {
    assertPollValues(b.values, b.selectableCount);
    return { input: b, content: { kind: 'poll', name: b.name, values: b.values, selectableCount: b.selectableCount } };
  });

  send('sendList', 'Send a list message (sections of rows behind a button)', SendListBody, (b) => ({
    input: b,
    content: { kind: 'list', title: b.title, ...(b.description !== undefined ? { description: b.description } : {}), footerText: b.footerText, buttonText: b.buttonText, sections: b.sections },
  }));

  send('sendButtons', 'Send native-flow buttons: up to 3 reply, up to 2 url/call/copy, or one PIX payment', SendButtonsBody, (b) => {
    const buttons = b.buttons as Button[] | undefined;
    assertButtons(buttons);
    return {
      input: b,
      content: { kind: 'buttons', ...(b.title !== undefined ? { title: b.title } : {}), ...(b.description !== undefined ? { description: b.description } : {}), ...(b.footer !== undefined ? { footer: b.footer } : {}), ...(b.thumbnailUrl ? { thumbnailUrl: b.thumbnailUrl } : {}), buttons },
    };
  });
}
