import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, NotEmpty, Obj } from '../schemas.js';
import { NumberField } from '../sendSchemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import { LabelService } from '../../domain/labels.js';
import { InstanceCache } from '../../domain/instanceCache.js';

const HandleLabelBody = Obj({ number: NumberField, labelId: NotEmpty('labelId'), action: Type.String({ enum: ['add', 'remove'] }) });
const LabelRow = Obj({ color: Type.String(), name: Type.String(), id: Type.String(), predefinedId: Type.Union([Type.String(), Type.Null()]) });

const tags = ['label'];
type P = { instanceName: string };
const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;

export function labelRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const labels = new LabelService(gateway.repos, gateway.instances, new InstanceCache(gateway.cache, gateway.config.cache.ttlSeconds));

  app.get<{ Params: P }>(
    '/label/findLabels/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'The WhatsApp Business labels the phone has (kept current by labels.edit)', params: InstanceParams, response: { 200: withExamples(Type.Array(LabelRow), [{ color: '0', name: 'New customer', id: '1', predefinedId: '1' }, { color: '7', name: 'VIP', id: '6', predefinedId: null }]), ...errorResponses } } },
    async (request) => labels.findLabels(live(request)),
  );

  app.post<{ Params: P; Body: Static<typeof HandleLabelBody> }>(
    '/label/handleLabel/:instanceName',
    { onRequest: guards.instance, schema: { tags, summary: 'Puts a label on a chat or takes it off (labels.association)', params: InstanceParams, body: withExamples(HandleLabelBody, { number: '5511999999999', labelId: '1', action: 'add' }, { number: '5511999999999', labelId: '1', action: 'remove' }), response: { 200: Obj({ numberJid: Type.String(), labelId: Type.String(), add: Type.Optional(Type.Boolean()), remove: Type.Optional(Type.Boolean()) }), ...errorResponses } } },
    async (request) => labels.handleLabel(live(request), request.body as { number: string; labelId: string; action: 'add' | 'remove' }),
  );
}
