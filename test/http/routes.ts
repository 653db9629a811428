/** The routes under test, shared by the HTTP suites: how to call each one with a valid request. */
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';

export type Auth = 'instance' | 'global' | 'globalOrToken';

export interface RouteCase {
  /** Label used in test names. */
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Request path for instance `i` (global routes ignore it). */
  path: (i: string) => string;
  /** A valid body; undefined = no body. */
  body?: unknown;
  auth: Auth;
  /** OpenAPI path as /docs/json lists it. */
  openapi: string;
}

/** A number the sandbox considers on WhatsApp that no instance owns. */
export const CONTACT = '5511988887777';

export const INSTANCE_ROUTES: RouteCase[] = [
  { label: 'GET /instance/connect', method: 'GET', path: (i) => `/instance/connect/${i}`, auth: 'instance', openapi: '/instance/connect/{instanceName}' },
  { label: 'GET /instance/connectionState', method: 'GET', path: (i) => `/instance/connectionState/${i}`, auth: 'instance', openapi: '/instance/connectionState/{instanceName}' },
  { label: 'POST /instance/restart', method: 'POST', path: (i) => `/instance/restart/${i}`, auth: 'instance', openapi: '/instance/restart/{instanceName}' },
  { label: 'PUT /instance/restart', method: 'PUT', path: (i) => `/instance/restart/${i}`, auth: 'instance', openapi: '/instance/restart/{instanceName}' },
  { label: 'DELETE /instance/logout', method: 'DELETE', path: (i) => `/instance/logout/${i}`, auth: 'instance', openapi: '/instance/logout/{instanceName}' },
  { label: 'DELETE /instance/delete', method: 'DELETE', path: (i) => `/instance/delete/${i}`, auth: 'instance', openapi: '/instance/delete/{instanceName}' },
  { label: 'POST /instance/setPresence', method: 'POST', path: (i) => `/instance/setPresence/${i}`, body: { presence: 'available' }, auth: 'instance', openapi: '/instance/setPresence/{instanceName}' },
  { label: 'POST /message/sendText', method: 'POST', path: (i) => `/message/sendText/${i}`, body: { number: CONTACT, text: 'hello' }, auth: 'instance', openapi: '/message/sendText/{instanceName}' },
  { label: 'POST /chat/findMessages', method: 'POST', path: (i) => `/chat/findMessages/${i}`, body: {}, auth: 'instance', openapi: '/chat/findMessages/{instanceName}' },
  { label: 'POST /chat/findChats', method: 'POST', path: (i) => `/chat/findChats/${i}`, body: {}, auth: 'instance', openapi: '/chat/findChats/{instanceName}' },
  { label: 'POST /chat/findContacts', method: 'POST', path: (i) => `/chat/findContacts/${i}`, body: {}, auth: 'instance', openapi: '/chat/findContacts/{instanceName}' },
  {
    label: 'POST /chat/markMessageAsRead',
    method: 'POST',
    path: (i) => `/chat/markMessageAsRead/${i}`,
    body: { readMessages: [{ id: '3EB0AAAAAAAAAAAAAAAA', fromMe: false, remoteJid: `${CONTACT}@s.whatsapp.net` }] },
    auth: 'instance',
    openapi: '/chat/markMessageAsRead/{instanceName}',
  },
  { label: 'POST /chat/whatsappNumbers', method: 'POST', path: (i) => `/chat/whatsappNumbers/${i}`, body: { numbers: [CONTACT] }, auth: 'instance', openapi: '/chat/whatsappNumbers/{instanceName}' },
  { label: 'POST /chat/fetchProfilePictureUrl', method: 'POST', path: (i) => `/chat/fetchProfilePictureUrl/${i}`, body: { number: CONTACT }, auth: 'instance', openapi: '/chat/fetchProfilePictureUrl/{instanceName}' },
  {
    label: 'POST /settings/set',
    method: 'POST',
    path: (i) => `/settings/set/${i}`,
    body: { rejectCall: true, msgCall: 'busy', groupsIgnore: true, alwaysOnline: false, readMessages: false, readStatus: false, syncFullHistory: false },
    auth: 'instance',
    openapi: '/settings/set/{instanceName}',
  },
  { label: 'GET /settings/find', method: 'GET', path: (i) => `/settings/find/${i}`, auth: 'instance', openapi: '/settings/find/{instanceName}' },
  {
    label: 'POST /webhook/set',
    method: 'POST',
    path: (i) => `/webhook/set/${i}`,
    body: { webhook: { enabled: true, url: 'http://127.0.0.1:9/hook', byEvents: false, base64: false, events: ['MESSAGES_UPSERT'] } },
    auth: 'instance',
    openapi: '/webhook/set/{instanceName}',
  },
  { label: 'GET /webhook/find', method: 'GET', path: (i) => `/webhook/find/${i}`, auth: 'instance', openapi: '/webhook/find/{instanceName}' },
];

export const SANDBOX_ROUTES: RouteCase[] = [
  { label: 'POST /sandbox/scan', method: 'POST', path: (i) => `/sandbox/scan/${i}`, body: { number: '5511900009999' }, auth: 'global', openapi: '/sandbox/scan/{instanceName}' },
  { label: 'POST /sandbox/inbound', method: 'POST', path: (i) => `/sandbox/inbound/${i}`, body: { from: CONTACT, text: 'hi there' }, auth: 'global', openapi: '/sandbox/inbound/{instanceName}' },
  { label: 'POST /sandbox/history', method: 'POST', path: (i) => `/sandbox/history/${i}`, body: { messages: [{ from: CONTACT, text: 'from the history', id: 'HISTORY0001' }] }, auth: 'global', openapi: '/sandbox/history/{instanceName}' },
  { label: 'POST /sandbox/status', method: 'POST', path: (i) => `/sandbox/status/${i}`, body: { keyId: '3EB0BBBBBBBBBBBBBBBB', status: 'READ' }, auth: 'global', openapi: '/sandbox/status/{instanceName}' },
  { label: 'POST /sandbox/disconnect', method: 'POST', path: (i) => `/sandbox/disconnect/${i}`, body: { statusReason: 401 }, auth: 'global', openapi: '/sandbox/disconnect/{instanceName}' },
];

export const CREATE_ROUTE: RouteCase = {
  label: 'POST /instance/create',
  method: 'POST',
  path: () => '/instance/create',
  body: { instanceName: 'never-created', integration: 'SANDBOX' },
  auth: 'global',
  openapi: '/instance/create',
};

export const FETCH_ROUTE: RouteCase = { label: 'GET /instance/fetchInstances', method: 'GET', path: () => '/instance/fetchInstances', auth: 'globalOrToken', openapi: '/instance/fetchInstances' };

/** Every route in scope, each method once. */
export const ALL_ROUTES: RouteCase[] = [CREATE_ROUTE, FETCH_ROUTE, ...INSTANCE_ROUTES, ...SANDBOX_ROUTES];

export const UNAUTHORIZED = { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } };

export const instanceMissing = (name: string) => ({ status: 404, error: 'Not Found', response: { message: [`The "${name}" instance does not exist`] } });

/** Asserts the upstream error shape; for 400 the message is an array of strings. */
export function expectErrorShape(res: { status: number; body: any }, statuses: number[] = [400, 413, 415]): void {
  expect(statuses, JSON.stringify(res.body)).toContain(res.status);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'response', 'status']);
  expect(res.body.status).toBe(res.status);
  expect(typeof res.body.error).toBe('string');
  expect(res.body.error.length).toBeGreaterThan(0);
  expect(Object.keys(res.body.response)).toEqual(['message']);
  if (res.status === 400) {
    expect(Array.isArray(res.body.response.message), JSON.stringify(res.body)).toBe(true);
    expect(res.body.response.message.length).toBeGreaterThan(0);
    for (const m of res.body.response.message) expect(typeof m).toBe('string');
  }
}

/** Everything the global key can see about one instance; equal before and after = nothing changed. */
export async function snapshot(server: TestServer, name: string) {
  const get = async (method: string, path: string, body?: unknown) => {
    const r = await server.call(method, path, body);
    return { status: r.status, body: r.body };
  };
  return {
    state: await get('GET', `/instance/connectionState/${name}`),
    settings: await get('GET', `/settings/find/${name}`),
    webhook: await get('GET', `/webhook/find/${name}`),
    messages: await get('POST', `/chat/findMessages/${name}`, {}),
    chats: await get('POST', `/chat/findChats/${name}`, {}),
    contacts: await get('POST', `/chat/findContacts/${name}`, {}),
    row: await get('GET', `/instance/fetchInstances?instanceName=${encodeURIComponent(name)}`),
  };
}

/** Waits until the sandbox has delivered every pending ack for `name` (two equal snapshots in a row). */
export async function settled(server: TestServer, name: string) {
  let prev = JSON.stringify(await snapshot(server, name));
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 30));
    const next = JSON.stringify(await snapshot(server, name));
    if (next === prev) return JSON.parse(next) as Awaited<ReturnType<typeof snapshot>>;
    prev = next;
  }
  throw new Error(`instance ${name} never settled`);
}
