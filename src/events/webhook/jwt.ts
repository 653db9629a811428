import { createHmac } from 'node:crypto';

/** The HS256 bearer token upstream sends when a webhook's headers carry `jwt_key`: {iat, exp: iat+600, app, action}. */
export function webhookJwt(secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iat: nowSeconds, exp: nowSeconds + 600, app: 'evolution', action: 'webhook' })}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

/** Instance webhook headers as sent: verbatim, except `jwt_key` which becomes an Authorization bearer token. */
export function webhookHeaders(custom: Record<string, string> | null | undefined): Record<string, string> {
  if (!custom) return {};
  const { jwt_key: jwtKey, ...rest } = custom;
  return jwtKey ? { ...rest, authorization: `Bearer ${webhookJwt(jwtKey)}` } : rest;
}
