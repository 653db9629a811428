import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One route of the contract (test/contract/routes.json, a copy of ../shared/contract/routes.json). */
export interface ContractRoute {
  method: string;
  path: string;
  auth: string;
  body_fields: string[];
  success_status: number;
  query_fields?: string[];
  notes?: string;
}

/** The groups of the messaging surface. */
export const GROUPS = ['message', 'chat', 'group', 'label', 'call', 'business', 'proxy', 'template', 's3', 'settings', 'chatwoot', 'evolutionBot', 'typebot', 'openai', 'dify', 'flowise', 'n8n', 'evoai'];

/** Routes upstream added after 2.3 (2.3.7 / 2.4) that the gateway serves too; not in the 2.3 route list. */
export const LATER_ROUTES: ContractRoute[] = [
  { method: 'POST', path: '/template/edit/:instanceName', auth: 'instance', body_fields: ['templateId!:string', 'category?:AUTHENTICATION|MARKETING|UTILITY', 'allowCategoryChange?:boolean', 'ttl?:number', 'components?:array'], success_status: 200 },
  { method: 'DELETE', path: '/template/delete/:instanceName', auth: 'instance', body_fields: ['name!:string', 'hsmId?:string'], success_status: 200 },
  { method: 'POST', path: '/chat/markMessageAsPlayed/:instanceName', auth: 'instance', body_fields: ['playedMessages!:[{id!,fromMe!,remoteJid!}]'], success_status: 201 },
  { method: 'POST', path: '/chat/getPollVote/:instanceName', auth: 'instance', body_fields: ['message!:{key:{id!}}', 'remoteJid!:string'], success_status: 200 },
  { method: 'POST', path: '/group/updateMemberAddMode/:instanceName', auth: 'instance', body_fields: ['groupJid!:string', 'mode!:all_member_add|admin_add'], success_status: 201 },
];

export function contractRoutes(): ContractRoute[] {
  const file = fileURLToPath(new URL('./routes.json', import.meta.url));
  const all = JSON.parse(readFileSync(file, 'utf8')) as ContractRoute[];
  return [...all, ...LATER_ROUTES].filter((r) => GROUPS.includes(r.path.split('/')[1]!));
}

export const groupOf = (r: ContractRoute) => r.path.split('/')[1]!;
export const label = (r: ContractRoute) => `${r.method} ${r.path}`;
export const pathFor = (r: ContractRoute, instance: string) => r.path.replace(':instanceName', encodeURIComponent(instance));

/** `number!:string` -> the field, and a value of the wrong type for it. */
export function wrongValue(field: string): [string, unknown] {
  const m = /^([A-Za-z]+)[!?]?:?(.*)$/.exec(field);
  const name = m?.[1] ?? field;
  const type = (m?.[2] ?? '').trim();
  const isText = /^string/.test(type) || (/^[a-z_]+(\|[a-z_]+)+$/i.test(type) && !/^\d/.test(type));
  return [name, isText ? 12345 : 'not-the-right-type'];
}

/** A body whose every field has the wrong type. */
export function malformedBody(r: ContractRoute): Record<string, unknown> {
  return Object.fromEntries(r.body_fields.map(wrongValue));
}
