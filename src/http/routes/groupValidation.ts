import type { FastifyRequest } from 'fastify';
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { badRequest } from '../../domain/errors.js';
import { formatValidationErrors } from '../validation.js';

/**
 * Upstream's group routes answer a validation failure with one `{property, message}` object per error (its
 * `groupValidate`), and read `groupJid` from the body or the query first, appending `@g.us` when it is missing.
 */
export interface GroupError {
  property: string;
  message: string;
}

type Query = Record<string, unknown>;
const GROUP_JID_PATTERN = '^[\\d-]+@g.us$';

/** "/participants/0" -> "participants[0]"; the root is "instance", as upstream's jsonschema names it. */
function propertyOf(e: FastifySchemaValidationError): string {
  if (!e.instancePath) return 'instance';
  return e.instancePath.slice(1).split('/').map((p) => (/^\d+$/.test(p) ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
}

function schemaErrors(request: FastifyRequest): GroupError[] {
  const err = request.validationError as (Error & { validation?: FastifySchemaValidationError[]; validationContext?: string }) | undefined;
  if (!err?.validation) return [];
  const seen = new Set<string>();
  const out: GroupError[] = [];
  for (const e of err.validation) {
    const error = { property: propertyOf(e), message: formatValidationErrors([e], err.validationContext)[0]! };
    const key = JSON.stringify(error);
    if (!seen.has(key)) out.push(error);
    seen.add(key);
  }
  return out;
}

function refuse(errors: GroupError[]): void {
  if (errors.length) throw badRequest(...errors);
}

/** Body-only validation in the group style (sendInvite). */
export function validateGroupBody(request: FastifyRequest): void {
  refuse(schemaErrors(request));
}

/**
 * The group a route acts on: body `groupJid`, else `?groupJid=`, with `@g.us` appended. `strict` adds upstream's
 * pattern check of the `groupJidSchema` routes (findGroupInfos, participants, inviteCode, revokeInviteCode).
 */
export function groupJidOf(request: FastifyRequest, strict = false): string {
  const body = (request.body ?? {}) as Query;
  const query = (request.query ?? {}) as Query;
  const given = body.groupJid || query.groupJid;
  if (!given) throw badRequest('The group id needs to be informed in the query', 'ex: "groupJid=120362@g.us"');
  if (typeof given !== 'string') throw badRequest({ property: 'groupJid', message: 'groupJid is not of a type(s) string' });
  const groupJid = given.endsWith('@g.us') ? given : `${given}@g.us`;
  const errors = schemaErrors(request);
  if (strict && !new RegExp(GROUP_JID_PATTERN).test(groupJid)) errors.push({ property: 'groupJid', message: `groupJid does not match pattern ${JSON.stringify(GROUP_JID_PATTERN)}` });
  refuse(errors);
  return groupJid;
}

/** `?inviteCode=`: required, then 22 letters and digits. */
export function inviteCodeOf(request: FastifyRequest): string {
  const code = (request.query as Query).inviteCode;
  if (!code) throw badRequest('The group invite code id needs to be informed in the query', 'ex: "inviteCode=F1EX5QZxO181L3TMVP31gY" (Obtained from group join link)');
  if (typeof code !== 'string' || !/^[a-zA-Z0-9]{22}$/.test(code)) throw badRequest({ property: 'inviteCode', message: 'inviteCode does not match pattern "^[a-zA-Z0-9]{22}$"' });
  return code;
}

/** `?getParticipants=true|false`: required. */
export function getParticipantsOf(request: FastifyRequest): boolean {
  const value = (request.query as Query).getParticipants;
  if (!value) throw badRequest('The getParticipants needs to be informed in the query');
  if (value !== 'true' && value !== 'false') throw badRequest({ property: 'getParticipants', message: 'getParticipants is not one of enum values: true,false' });
  return value === 'true';
}
