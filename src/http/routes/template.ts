import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, NotEmpty, Obj, StoredMessageSchema } from '../schemas.js';
import { RecipientFields } from '../sendSchemas.js';
import { withExamples } from '../openapi.js';
import { metaValidationErrors, withMetaErrors } from '../metaErrors.js';
import type { LiveInstance } from '../../domain/registry.js';
import { TemplateService } from '../../domain/templates.js';
import { badRequest } from '../../domain/errors.js';
import { AddressRefused, assertAllowedUrl } from '../../security/addressGuard.js';

const Category = Type.String({ enum: ['AUTHENTICATION', 'MARKETING', 'UTILITY'] });
/** Required and not empty, with upstream's wording for an empty value (a wrong type keeps the type message). */

const orderUpdate = {
  name: 'order_update',
  category: 'UTILITY',
  language: 'en_US',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}', example: { header_text: ['#1234'] } },
    { type: 'BODY', text: 'Hi {{1}}, your order is {{2}}.', example: { body_text: [['Ana', 'on its way']] } },
    { type: 'FOOTER', text: 'Thanks for shopping with us' },
    { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example.com/track/{{1}}', example: ['https://shop.example.com/track/1234'] }] },
  ],
};

const CreateBody = withExamples(
  Obj({ name: Type.String(), category: Category, language: Type.String(), components: Type.Array(Type.Unknown()), allowCategoryChange: Type.Optional(Type.Boolean()), webhookUrl: Type.Optional(Type.String()) }),
  { ...orderUpdate, webhookUrl: 'https://crm.example.com/template-status' },
);
const EditBody = withExamples(
  Obj({ templateId: NotEmpty('templateId'), category: Type.Optional(Category), allowCategoryChange: Type.Optional(Type.Boolean()), ttl: Type.Optional(Type.Number()), components: Type.Optional(Type.Array(Type.Unknown())) }),
  { templateId: '1234567890123456', components: [{ type: 'BODY', text: 'Hello {{1}}, your order shipped.', example: { body_text: [['Ana']] } }] },
);
const DeleteBody = withExamples(Obj({ name: NotEmpty('name'), hsmId: Type.Optional(Type.String()) }), { name: 'order_update' }, { name: 'order_update', hsmId: '1234567890123456' });
const SendTemplateBody = withExamples(
  Obj({ ...RecipientFields, name: Type.String(), language: Type.String(), components: Type.Optional(Type.Array(Type.Unknown())), webhookUrl: Type.Optional(Type.String()) }),
  {
    number: '5511999999999',
    name: 'order_update',
    language: 'en_US',
    components: [
      { type: 'header', parameters: [{ type: 'text', text: '#1234' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'on its way' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '1234' }] },
    ],
  },
);

const TemplateRowSchema = withExamples(
  Obj({ id: Type.String(), templateId: Type.String(), name: Type.String(), template: Loose('What the platform answered: {id, status, category}'), webhookUrl: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String(), updatedAt: Type.String(), instanceId: Type.String() }),
  { id: 'cm3x0tmpl0000001', templateId: '1234567890123456', name: 'order_update', template: { id: '1234567890123456', status: 'PENDING', category: 'UTILITY' }, webhookUrl: null, createdAt: '2024-10-21T12:00:00.000Z', updatedAt: '2024-10-21T12:00:00.000Z', instanceId: '2d6f0c1e-5a8b-4c3d-9e7f-0123456789ab' },
);
const TemplateList = withExamples(Type.Array(Loose('Graph message_templates element')), [{ name: orderUpdate.name, parameter_format: 'POSITIONAL', components: orderUpdate.components, language: 'en_US', status: 'APPROVED', category: 'UTILITY', id: '1234567890123456' }]);
const Success = withExamples(Obj({ success: Type.Boolean() }), { success: true });
const MetaError = Obj({ status: Type.Integer(), error: Type.String(), message: Type.String(), details: Loose('Graph error: whatsapp_error, whatsapp_code, error_user_title, error_user_msg, error_type, error_subcode, fbtrace_id, context, type'), timestamp: Type.String() }, { description: "Upstream's Meta-style error" });
const responses = { ...errorResponses, 400: Type.Union([MetaError, errorResponses[400]]) };

type Req<B> = { Params: { instanceName: string }; Body: B };

export function templateRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const templates = new TemplateService({ repos: gateway.repos, instances: gateway.instances, messages: gateway.messages });
  const guardOptions = { allowPrivate: gateway.config.media.allowPrivateUrls };

  app.post<Req<Static<typeof CreateBody>>>(
    '/template/create/:instanceName',
    { errorHandler: metaValidationErrors('template_creation'), onRequest: guards.instance, schema: { tags: ['template'], summary: 'Create a message template (submitted for review)', params: InstanceParams, body: CreateBody, response: { 201: TemplateRowSchema, ...responses } } },
    async (request, reply) => {
      const { webhookUrl } = request.body;
      if (webhookUrl) await assertAllowedUrl(webhookUrl, guardOptions).catch((e) => Promise.reject(e instanceof AddressRefused ? badRequest(e.message) : e));
      reply.status(201);
      return withMetaErrors(reply, 'template_creation', () => templates.create(request.live as LiveInstance, request.body));
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/template/find/:instanceName',
    { errorHandler: metaValidationErrors('template_find'), onRequest: guards.instance, schema: { tags: ['template'], summary: "The business account's templates (Graph data array)", params: InstanceParams, response: { 200: TemplateList, ...responses } } },
    async (request, reply) => withMetaErrors(reply, 'template_find', () => templates.find(request.live as LiveInstance)),
  );

  app.post<Req<Static<typeof EditBody>>>(
    '/template/edit/:instanceName',
    { errorHandler: metaValidationErrors('template_edit'), onRequest: guards.instance, schema: { tags: ['template'], summary: 'Edit a template (upstream 2.4; it is reviewed again)', params: InstanceParams, body: EditBody, response: { 200: Success, ...responses } } },
    async (request, reply) => {
      const { templateId, ...changes } = request.body;
      return withMetaErrors(reply, 'template_edit', () => templates.edit(request.live as LiveInstance, templateId, changes));
    },
  );

  app.delete<Req<Static<typeof DeleteBody>>>(
    '/template/delete/:instanceName',
    { errorHandler: metaValidationErrors('template_delete'), onRequest: guards.instance, schema: { tags: ['template'], summary: 'Delete a template by name, or one language of it by hsmId (upstream 2.4)', params: InstanceParams, body: DeleteBody, response: { 200: Success, ...responses } } },
    async (request, reply) => withMetaErrors(reply, 'template_delete', () => templates.delete(request.live as LiveInstance, request.body.name, request.body.hsmId || undefined)),
  );

  app.post<Req<Static<typeof SendTemplateBody>>>(
    '/message/sendTemplate/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['message'], summary: 'Send an approved message template with its parameters', params: InstanceParams, body: SendTemplateBody, response: { 201: StoredMessageSchema, ...responses } } },
    async (request, reply) => {
      reply.status(201);
      return withMetaErrors(reply, 'template_send', () => templates.send(request.live as LiveInstance, request.body));
    },
  );
}
