import { createHmac } from 'node:crypto';

/**
 * Signature headers for a webhook body:
 * - Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>";
 * - the pair the Automagik/SaaS consumer verifies (seed 002 §10.1): hex HMAC-SHA256 of "<timestamp>.<body>", timestamp in
 *   seconds, sent as `evox-signature` / `evox-time` (what CGI-style servers expose as HTTP_EVOX_SIGNATURE / HTTP_EVOX_TIME)
 *   and literally as `http_evox_signature` / `http_evox_time` (what `req.headers['http_evox_signature']` reads in Node).
 */
export function signatureHeaders(secret: string, id: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  const standard = createHmac('sha256', standardKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  const evox = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${standard}`,
    'evox-signature': evox,
    'evox-time': timestamp,
    http_evox_signature: evox,
    http_evox_time: timestamp,
  };
}

/** Standard Webhooks secrets are "whsec_<base64>"; any other string is used as raw key bytes. */
function standardKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}
