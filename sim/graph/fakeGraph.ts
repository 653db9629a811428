/**
 * A local WhatsApp Cloud API (Graph) on 127.0.0.1 for tests and benchmarks: the real paths and JSON bodies, Graph's
 * error objects, media upload (multipart) and download (short-lived URL + bearer), message templates, and webhook
 * posts back to the gateway signed with the app secret, as Meta sends them.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: any;
  at: number;
}

export interface PhoneNumber {
  id: string;
  display: string;
  name: string;
  token: string;
  businessId: string;
}

interface StoredMedia {
  data: Buffer;
  mimetype: string;
}

/** An answer forced on the next matching calls: Graph's error object with a status, optionally a Retry-After. */
export interface Failure {
  status: number;
  error?: Record<string, unknown>;
  retryAfter?: string;
  /** Only calls whose path ends with this. */
  pathEndsWith?: string;
}

export const VERSION = 'v20.0';
export const APP_SECRET = 'fake-graph-app-secret';

const fbtrace = () => randomBytes(8).toString('base64url');

export class FakeGraph {
  readonly requests: GraphRequest[] = [];
  readonly phones = new Map<string, PhoneNumber>();
  readonly media = new Map<string, StoredMedia>();
  readonly templates = new Map<string, Array<Record<string, any>>>();
  private failures: Failure[] = [];
  private server!: Server;
  private seq = 0;
  url = '';
  /** Where status webhooks go (the gateway's /webhook/meta); unset: no statuses are posted back. */
  webhookUrl: string | undefined;
  /** Statuses posted back after each accepted message, in order. */
  autoStatuses: Array<'sent' | 'delivered' | 'read'> = ['sent', 'delivered'];
  appSecret = APP_SECRET;
  /** How long media downloads take (a slow CDN): keeps inbound processing busy in durability tests. */
  downloadDelayMs = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections?.();
    await new Promise((r) => this.server.close(r));
  }

  addPhone(p: Partial<PhoneNumber> & { id: string; display: string }): PhoneNumber {
    const phone: PhoneNumber = { name: `Business ${p.display.slice(-4)}`, token: `token-${p.id}`, businessId: `waba-${p.id}`, ...p };
    this.phones.set(phone.id, phone);
    return phone;
  }

  /** The next `times` calls (matching `pathEndsWith`) get this failure. */
  fail(failure: Failure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(failure);
  }

  sent(phoneId?: string): GraphRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages') && (!phoneId || r.path === `/${VERSION}/${phoneId}/messages`));
  }

  newWamid(): string {
    return `wamid.HBgM${createHash('sha1').update(String(++this.seq) + Math.random()).digest('base64url').slice(0, 24)}`;
  }

  /** Posts a webhook to the gateway as Meta does: JSON, X-Hub-Signature-256 over the exact bytes. */
  async post(payload: unknown, opts: { secret?: string | null; signature?: string; url?: string } = {}): Promise<{ status: number; body: any }> {
    const raw = JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
    const secret = opts.secret === undefined ? this.appSecret : opts.secret;
    if (opts.signature) headers['x-hub-signature-256'] = opts.signature;
    else if (secret !== null) headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    const res = await fetch(opts.url ?? this.webhookUrl!, { method: 'POST', headers, body: raw });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* text */
    }
    return { status: res.status, body };
  }

  /** A `messages` change for a phone number, as Meta wraps it. */
  envelope(phone: PhoneNumber, value: Record<string, unknown>, field = 'messages'): Record<string, unknown> {
    return {
      object: 'whatsapp_business_account',
      entry: [{ id: phone.businessId, changes: [{ field, value: field === 'messages' ? { messaging_product: 'whatsapp', metadata: { display_phone_number: phone.display, phone_number_id: phone.id }, ...value } : value }] }],
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.url);
    const contentType = req.headers['content-type'] ?? '';
    let body: any;
    if (contentType.startsWith('multipart/form-data')) body = await new Request(url, { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
    else if (raw.length) body = JSON.parse(raw.toString('utf8'));
    const request: GraphRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, body, at: Date.now() };
    this.requests.push(request);
    const send = (status: number, answer: unknown, headers: Record<string, string> = {}) => {
      if (Buffer.isBuffer(answer)) {
        res.writeHead(status, headers);
        res.end(answer);
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(answer));
    };
    const failure = this.failures.findIndex((f) => !f.pathEndsWith || url.pathname.endsWith(f.pathEndsWith));
    if (failure >= 0) {
      const f = this.failures.splice(failure, 1)[0]!;
      return send(f.status, { error: { message: 'Injected failure', type: 'OAuthException', code: f.status === 429 ? 130429 : 1, fbtrace_id: fbtrace(), ...f.error } }, f.retryAfter ? { 'retry-after': f.retryAfter } : {});
    }
    const phone = [...this.phones.values()].find((p) => `Bearer ${p.token}` === req.headers.authorization);
    if (!phone) return send(401, { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: fbtrace() } });
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'download') {
      if (this.downloadDelayMs) await new Promise((r) => setTimeout(r, this.downloadDelayMs));
      const m = this.media.get(parts[1] ?? '');
      return m ? send(200, m.data, { 'content-type': m.mimetype }) : send(404, { error: { message: 'Not found', type: 'GraphMethodException', code: 100, fbtrace_id: fbtrace() } });
    }
    if (parts[0] !== VERSION) return send(404, { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: fbtrace() } });
    const [, id, edge] = parts;
    if (req.method === 'POST' && edge === 'messages' && id === phone.id) return this.message(phone, body, send);
    if (req.method === 'POST' && edge === 'media' && id === phone.id) {
      const file = body.get('file') as File;
      const mediaId = String(1_000_000 + this.media.size + 1);
      this.media.set(mediaId, { data: Buffer.from(await file.arrayBuffer()), mimetype: String(body.get('type')) });
      return send(200, { id: mediaId });
    }
    if (req.method === 'GET' && id === phone.id && !edge) return send(200, { display_phone_number: phone.display, verified_name: phone.name, id: phone.id });
    if (edge === 'message_templates' && id === phone.businessId) return this.templatesCall(phone, req.method ?? 'GET', url.searchParams, body, send);
    if (req.method === 'GET' && id && this.media.has(id) && !edge) {
      const m = this.media.get(id)!;
      return send(200, { messaging_product: 'whatsapp', url: `${this.url}/download/${id}`, mime_type: m.mimetype, sha256: createHash('sha256').update(m.data).digest('hex'), file_size: m.data.length, id });
    }
    if (req.method === 'POST' && id && !edge) {
      const t = [...(this.templates.get(phone.businessId) ?? [])].find((x) => x.id === id);
      if (!t) return send(400, { error: { message: '(#100) Invalid parameter', type: 'OAuthException', code: 100, fbtrace_id: fbtrace() } });
      Object.assign(t, body.components ? { components: body.components } : {}, body.category ? { category: body.category } : {}, { status: 'PENDING' });
      return send(200, { success: true });
    }
    return send(400, { error: { message: `Unsupported ${req.method} request. Object with ID '${id}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33, fbtrace_id: fbtrace() } });
  }

  private message(phone: PhoneNumber, body: any, send: (s: number, a: unknown) => void): void {
    if (body?.messaging_product !== 'whatsapp') return send(400, { error: { message: '(#100) The parameter messaging_product is required.', type: 'OAuthException', code: 100, fbtrace_id: fbtrace() } });
    if (body.status === 'read') return send(200, { success: true });
    if (body.type === 'template' && !(this.templates.get(phone.businessId) ?? []).some((t) => t.name === body.template?.name && t.status === 'APPROVED')) {
      return send(404, { error: { message: '(#132001) Template name does not exist in the translation', type: 'OAuthException', code: 132001, error_data: { messaging_product: 'whatsapp', details: `template name (${body.template?.name}) does not exist in ${body.template?.language?.code}` }, fbtrace_id: fbtrace() } });
    }
    const wamid = this.newWamid();
    send(200, { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] });
    if (!this.webhookUrl || !this.autoStatuses.length) return;
    const statuses = this.autoStatuses.map((status) => ({ id: wamid, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: body.to }));
    void (async () => {
      for (const s of statuses) await this.post(this.envelope(phone, { statuses: [s] })).catch(() => undefined);
    })();
  }

  private templatesCall(phone: PhoneNumber, method: string, query: URLSearchParams, body: any, send: (s: number, a: unknown) => void): void {
    const list = this.templates.get(phone.businessId) ?? [];
    this.templates.set(phone.businessId, list);
    if (method === 'POST') {
      if (list.some((t) => t.name === body.name && t.language === body.language)) {
        return send(400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2388024, error_user_title: 'Message template already exists', error_user_msg: 'There is already English content for this template.', fbtrace_id: fbtrace() } });
      }
      const t = { id: String(1_500_000_000_000_000 + list.length + 1), name: body.name, language: body.language, category: body.category, components: body.components, status: 'PENDING', parameter_format: 'POSITIONAL' };
      list.push(t);
      return send(200, { id: t.id, status: t.status, category: t.category });
    }
    if (method === 'DELETE') {
      const before = list.length;
      this.templates.set(phone.businessId, list.filter((t) => !(t.name === query.get('name') && (!query.get('hsm_id') || t.id === query.get('hsm_id')))));
      if (this.templates.get(phone.businessId)!.length === before) return send(400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2593002, error_user_title: 'Message template not found', error_user_msg: 'The template does not exist.', fbtrace_id: fbtrace() } });
      return send(200, { success: true });
    }
    const name = query.get('name');
    const language = query.get('language');
    send(200, { data: list.filter((t) => (!name || t.name === name) && (!language || t.language === language)), paging: { cursors: { before: 'MAZDZD', after: 'MjQZD' } } });
  }

  /** Approves a template (Meta's review), as the account's template webhook would announce. */
  approve(businessId: string, name: string): void {
    for (const t of this.templates.get(businessId) ?? []) if (t.name === name) t.status = 'APPROVED';
  }
}
