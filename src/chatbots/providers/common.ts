import { Type } from 'typebox';
import type { Turn } from '../provider.js';

/** What every platform may want to know about the turn's chat and instance (upstream passes the same to its bots). */
export function turnVariables({ session, input, instance }: Turn): Record<string, unknown> {
  return {
    remoteJid: session.remoteJid,
    pushName: input.pushName ?? session.pushName,
    fromMe: input.fromMe,
    keyId: input.keyId,
    instanceName: instance.name,
    serverUrl: instance.serverUrl ?? null,
    apiKey: instance.token,
  };
}

/** The platform's conversation id, or undefined while the session has none (it starts as the chat's JID). */
export function platformSession(t: Turn): string | undefined {
  return t.session.sessionId && t.session.sessionId !== t.session.remoteJid ? t.session.sessionId : undefined;
}

export const bearer = (key: string | undefined): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** The first non-empty string among the candidates. */
export function firstText(...candidates: unknown[]): string | undefined {
  for (const c of candidates) if (typeof c === 'string' && c.trim()) return c;
  return undefined;
}

/** The fields of a platform reached at one URL with an optional key: `{<urlField>, apiKey}`, the key kept sealed. */
export function endpoint(urlField: string, urlDescription: string, keyDescription: string) {
  return {
    fields: { [urlField]: Type.String({ minLength: 1, description: urlDescription }), apiKey: Type.Optional(Type.String({ description: keyDescription })) },
    secretFields: { apiKey: 'apiKey' },
  };
}
