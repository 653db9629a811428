import { api } from '../suite/process.js';

async function call(url: string, path: string, body: unknown, expect: number): Promise<unknown> {
  const res = await api(url, 'POST', path, body);
  if (res.status !== expect) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Creates a SANDBOX instance whose webhook (these `events`, [] = all) points at `hook`, and scans it as `number`. */
export async function connectedSandbox(url: string, name: string, number: string, hook: string, events: string[]): Promise<void> {
  await call(url, '/instance/create', { instanceName: name, integration: 'SANDBOX', qrcode: true, webhook: { url: hook, events } }, 201);
  await call(url, `/sandbox/scan/${name}`, { number }, 200);
}

/** The sandbox number of instance i: 5511900000001, 5511900000002... */
export const instanceNumber = (i: number): string => `55119${String(i + 1).padStart(8, '0')}`;
