import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj, SettingsFields } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { settingsOf } from '../../domain/instances.js';
import { withExamples } from '../openapi.js';

const SETTINGS_EXAMPLE = { rejectCall: true, msgCall: 'I cannot take calls here, please write.', groupsIgnore: false, alwaysOnline: false, readMessages: true, readStatus: false, syncFullHistory: false, wavoipToken: '' };
const SettingsBody = withExamples(Obj(SettingsFields), SETTINGS_EXAMPLE);
const SettingsResponse = withExamples(Obj({ rejectCall: Type.Boolean(), msgCall: Type.String(), groupsIgnore: Type.Boolean(), alwaysOnline: Type.Boolean(), readMessages: Type.Boolean(), readStatus: Type.Boolean(), syncFullHistory: Type.Boolean(), wavoipToken: Type.String() }), SETTINGS_EXAMPLE);

export function settingsRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  app.post<{ Params: { instanceName: string }; Body: Static<typeof SettingsBody> }>(
    '/settings/set/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['settings'], summary: 'Set behaviour settings', params: InstanceParams, body: SettingsBody, response: { 201: Obj({ settings: Obj({ instanceName: Type.String(), settings: SettingsResponse }) }), ...errorResponses } } },
    async (request, reply) => {
      const live = request.live as LiveInstance;
      const row = await gateway.instances.setSettings(live, { ...live.settings, msgCall: '', wavoipToken: '', ...request.body });
      reply.status(201);
      return { settings: { instanceName: live.name, settings: settingsOf(row) } };
    },
  );

  app.get<{ Params: { instanceName: string } }>(
    '/settings/find/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['settings'], summary: 'Current settings', params: InstanceParams, response: { 200: SettingsResponse, ...errorResponses } } },
    async (request) => (request.live as LiveInstance).settings,
  );
}
