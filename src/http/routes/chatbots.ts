import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj } from '../schemas.js';
import { withExamples } from '../openapi.js';
import type { LiveInstance } from '../../domain/registry.js';
import type { ChatbotProvider } from '../../chatbots/provider.js';
import type { BotBody, SettingsBody } from '../../chatbots/service.js';
import { PROVIDERS } from '../../chatbots/providers/index.js';
import { BOT_ROW_EXAMPLE, BotRow, botBody, ChangeStatusBody, IgnoreJidBody, SESSION_EXAMPLE, SessionRow, settingsBody, SettingsRow } from './chatbotSchemas.js';
import { BOT_EXAMPLES } from './chatbotExamples.js';
import { chatbotExtraRoutes } from './chatbotExtras.js';

const live = (request: { live?: LiveInstance }) => request.live as LiveInstance;
type P = Record<string, string> & { instanceName: string };
const Nullable = <T extends object>(s: T) => Type.Union([s as never, Type.Null()]);

/**
 * The route family every bot kind shares, built once per provider: create, find, fetch, update, delete, settings,
 * fetchSettings, changeStatus, fetchSessions, ignoreJid under `/<kind>/`.
 */
export function botRoutes(app: FastifyInstance, { gateway, guards }: RouteContext, p: ChatbotProvider): void {
  const service = gateway.chatbots.service;
  const tags = [p.kind];
  const base = `/${p.kind}`;
  const IdParams = Obj({ [p.idParam]: Type.String({ description: `The ${p.label} bot's id` }), instanceName: Type.String({ description: 'Instance name' }) });
  const ex = BOT_EXAMPLES[p.kind] ?? {};
  const Body = botBody(p, ex.bot ?? {});
  const row = withExamples(BotRow, { ...BOT_ROW_EXAMPLE, ...(ex.row ?? ex.bot ?? {}) });
  const opts = (summary: string, extra: Record<string, unknown>) => ({ onRequest: guards.instance, schema: { tags, summary, ...extra } }) as never;

  app.post<{ Params: P; Body: BotBody }>(`${base}/create/:instanceName`, opts(`Creates a ${p.label} bot`, { params: InstanceParams, body: Body, response: { 201: row, ...errorResponses } }), async (request, reply) => {
    const bot = await service.create(live(request), p, request.body);
    reply.status(201);
    return bot;
  });

  app.get<{ Params: P }>(`${base}/find/:instanceName`, opts(`The instance's ${p.label} bots`, { params: InstanceParams, response: { 200: withExamples(Type.Array(BotRow), [{ ...BOT_ROW_EXAMPLE, ...(ex.row ?? ex.bot ?? {}) }]), ...errorResponses } }), async (request) => service.find(live(request), p));

  app.get<{ Params: P }>(`${base}/fetch/:${p.idParam}/:instanceName`, opts(`One ${p.label} bot (null when the instance has no such bot)`, { params: IdParams, response: { 200: Nullable(row), ...errorResponses } }), async (request) => service.fetch(live(request), p, request.params[p.idParam]!));

  app.put<{ Params: P; Body: BotBody }>(`${base}/update/:${p.idParam}/:instanceName`, opts(`Replaces a ${p.label} bot's fields`, { params: IdParams, body: Body, response: { 200: row, ...errorResponses } }), async (request) => service.update(live(request), p, request.params[p.idParam]!, request.body));

  app.delete<{ Params: P }>(`${base}/delete/:${p.idParam}/:instanceName`, opts(`Deletes a ${p.label} bot and its sessions`, { params: IdParams, response: { 200: withExamples(Obj({ bot: Obj({ id: Type.String() }) }), { bot: { id: BOT_ROW_EXAMPLE.id } }), ...errorResponses } }), async (request) => service.remove(live(request), p, request.params[p.idParam]!));

  app.post<{ Params: P; Body: SettingsBody }>(`${base}/settings/:instanceName`, opts(`Sets the instance's ${p.label} defaults, fallback bot and ignored JIDs`, { params: InstanceParams, body: settingsBody(p, ex.settings ?? {}), response: { 200: SettingsRow, ...errorResponses } }), async (request) => service.saveSettings(live(request), p, request.body));

  app.get<{ Params: P }>(`${base}/fetchSettings/:instanceName`, opts(`The instance's ${p.label} settings (defaults when never set)`, { params: InstanceParams, response: { 200: withExamples(SettingsRow, { expire: 300, keywordFinish: 'bye', delayMessage: 1000, unknownMessage: 'Sorry, I dont understand', listeningFromMe: true, stopBotFromMe: true, keepOpen: false, debounceTime: 1, ignoreJids: [], splitMessages: false, timePerChar: 0, fallbackId: '', fallback: null }), ...errorResponses } }), async (request) => service.fetchSettings(live(request), p));

  app.post<{ Params: P; Body: { remoteJid: string; status: 'opened' | 'closed' | 'paused' | 'delete' } }>(`${base}/changeStatus/:instanceName`, opts(`Opens, pauses, closes or deletes a chat's ${p.label} session`, { params: InstanceParams, body: ChangeStatusBody, response: { 200: Obj({ bot: Obj({}) }), ...errorResponses } }), async (request) => service.changeStatus(live(request), p, request.body.remoteJid, request.body.status));

  app.get<{ Params: P }>(`${base}/fetchSessions/:${p.idParam}/:instanceName`, opts(`The sessions of a ${p.label} bot (every ${p.label} session when the id is not one of the instance's bots)`, { params: IdParams, response: { 200: withExamples(Type.Array(SessionRow), [{ ...SESSION_EXAMPLE, type: p.kind }]), ...errorResponses } }), async (request) => service.fetchSessions(live(request), p, request.params[p.idParam]!));

  app.post<{ Params: P; Body: { remoteJid: string; action: 'add' | 'remove' } }>(`${base}/ignoreJid/:instanceName`, opts(`Adds or removes a JID the instance's ${p.label} bots ignore`, { params: InstanceParams, body: IgnoreJidBody, response: { 200: withExamples(Obj({ ignoreJids: Type.Array(Type.String()) }), { ignoreJids: ['5511999999999@s.whatsapp.net'] }), ...errorResponses } }), async (request) => service.ignoreJid(live(request), p, request.body.remoteJid, request.body.action));
}

/** Every bot kind's route family. */
export function chatbotRoutes(app: FastifyInstance, ctx: RouteContext): void {
  for (const p of PROVIDERS) botRoutes(app, ctx, p);
  chatbotExtraRoutes(app, ctx);
}
