import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectedSandbox, startTestServer, type TestServer } from '../helpers/server.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpProxy, ProbeTarget } from '../proxy/localProxies.js';
import { contractRoutes, groupOf, label, LATER_ROUTES, malformedBody, pathFor, type ContractRoute } from './walker.js';
import { EXAMPLES } from './examples.js';
import { A, B, World } from './world.js';
import { botFakes } from './botExamples.js';
import { FakePlatform } from '../chatbots/fakePlatform.js';

/**
 * Walks every route of the messaging surface in the contract's route list: it exists with its method; a malformed
 * body, another instance's token and an unknown instance each get upstream's 4xx; a well-formed request on a connected
 * sandbox instance gets the documented status and top-level shape. Every failure names its route.
 */
const routes = contractRoutes();
const INSTANCE = 'walker';
const PEER = 'walker-peer';

const withQuery = (path: string, query?: string) => (query ? `${path}?${query}` : path);

/** Upstream's error body: `{status, error, response: {message}}` with the HTTP status repeated. */
function expectUpstreamError(r: ContractRoute, res: { status: number; body: any }, what: string): void {
  const where = `${label(r)} (${what}): ${res.status} ${JSON.stringify(res.body)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(400);
  expect(res.status, where).toBeLessThan(500);
  // findChatByRemoteJid answers a missing query parameter with upstream's own {error} body.
  if (r.path.startsWith('/chat/findChatByRemoteJid')) return expect(res.body, where).toEqual({ error: 'remoteJid is a required query parameter' });
  // Upstream's business and template routers render every failure, validation included, Meta-style.
  if (['business', 'template'].includes(groupOf(r)) && res.body?.details?.type === 'whatsapp_api_error') {
    return expect(res.body, where).toMatchObject({ status: res.status, error: expect.any(String), message: expect.anything(), details: expect.any(Object), timestamp: expect.any(String) });
  }
  expect(res.body, where).toMatchObject({ status: res.status, error: expect.any(String), response: { message: expect.anything() } });
}

/** Half a second of video and of audio, made with ffmpeg, as base64. */
function makeMedia(): { mp4: string; mp3: string } {
  const dir = mkdtempSync(join(tmpdir(), 'walker-media-'));
  try {
    const ff = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'pipe' });
    ff('-f', 'lavfi', '-i', 'color=c=red:s=64x64:d=0.5', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', join(dir, 'v.mp4'));
    ff('-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', join(dir, 'a.mp3'));
    return { mp4: readFileSync(join(dir, 'v.mp4')).toString('base64'), mp3: readFileSync(join(dir, 'a.mp3')).toString('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('contract walker: every route of the messaging surface', () => {
  let server: TestServer;
  let world: World;
  let foreignToken = '';
  const target = new ProbeTarget();
  const proxy = new HttpProxy();
  // Typebot and OpenAI as the bot routes that call out (/typebot/start, /openai/getModels) reach them.
  const bots = new FakePlatform()
    .on('POST', /^\/api\/v1\/typebots\/[\w-]+\/startChat$/, () => ({ json: { sessionId: 'walker-session', messages: [{ id: 'b1', type: 'text', content: { type: 'markdown', markdown: 'Hello from the walker flow' } }], input: { id: 'i1', type: 'text input' } } }))
    .on('GET', '/v1/models', () => ({ json: { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }] } }));

  beforeAll(async () => {
    await Promise.all([target.start(), proxy.start(), bots.start()]);
    botFakes.url = bots.url;
    server = await startTestServer({ PROXY_PROBE_URL: `${target.url}/probe`, PROXY_PROBE_TIMEOUT_MS: '2000', CHATWOOT_ENABLED: 'true', TYPEBOT_ENABLED: 'true', OPENAI_ENABLED: 'true', DIFY_ENABLED: 'true', FLOWISE_ENABLED: 'true', N8N_ENABLED: 'true', EVOAI_ENABLED: 'true', OPENAI_API_URL: `${bots.url}/v1` });
    const token = await connectedSandbox(server, INSTANCE, A);
    const peerToken = await connectedSandbox(server, PEER, B);
    foreignToken = await connectedSandbox(server, 'walker-stranger', '5511977770003');
    world = new World(server, INSTANCE, PEER, { [INSTANCE]: token, [PEER]: peerToken });
    world.proxyPort = proxy.port;
    world.media = makeMedia();
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([target.stop(), proxy.stop(), bots.stop()]);
  });

  it('covers the groups of the messaging surface and has an example for every route', () => {
    // 65 of the messaging surface, 3 of Chatwoot, 75 of the chatbots (7 kinds x 10, /typebot/start, 4 OpenAI routes)
    expect(routes.length).toBe(65 + 3 + 75 + LATER_ROUTES.length);
    expect(routes.filter((r) => !EXAMPLES[label(r)]).map(label), 'routes without a well-formed example').toEqual([]);
  });

  describe('each route exists with its method', () => {
    for (const r of routes) {
      it(label(r), async () => {
        const res = await server.call(r.method, pathFor(r, INSTANCE), r.method === 'GET' ? undefined : {});
        const message = JSON.stringify(res.body?.response?.message ?? '');
        expect(message, `${label(r)} is not served: ${res.status} ${JSON.stringify(res.body)}`).not.toMatch(/Cannot (GET|POST|PUT|DELETE) /);
        expect(res.status, `${label(r)} answered ${res.status} ${JSON.stringify(res.body)}`).toBeLessThan(500);
      });
    }
  });

  describe('a malformed request gets upstream 4xx, never a 5xx', () => {
    for (const r of routes) {
      if (r.body_fields.length) {
        it(`${label(r)} with every field of the wrong type`, async () => {
          const body = malformedBody(r);
          const res = await server.call(r.method, pathFor(r, INSTANCE), body);
          expectUpstreamError(r, res, `body ${JSON.stringify(body)}`);
          expect(res.status, label(r)).toBe(400);
        });
      }
      if (r.method !== 'GET') {
        it(`${label(r)} with a body that is not JSON`, async () => {
          const res = await server.call(r.method, pathFor(r, INSTANCE), '{"not": json', undefined, { 'content-type': 'application/json' });
          expectUpstreamError(r, res, 'invalid JSON');
        });
      }
      if (r.query_fields?.some((q) => q.includes('!'))) {
        it(`${label(r)} without its required query`, async () => {
          const res = await server.call(r.method, pathFor(r, INSTANCE), r.method === 'GET' ? undefined : {});
          expectUpstreamError(r, res, 'no query');
        });
      }
    }
  });

  describe("another instance's token is 401", () => {
    for (const r of routes) {
      it(label(r), async () => {
        const res = await server.call(r.method, pathFor(r, INSTANCE), r.method === 'GET' ? undefined : {}, foreignToken);
        expect(res.status, `${label(r)}: ${JSON.stringify(res.body)}`).toBe(401);
        expect(res.body, label(r)).toEqual({ status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } });
      });
    }
  });

  describe('an unknown instance is 404', () => {
    for (const r of routes) {
      it(label(r), async () => {
        const res = await server.call(r.method, pathFor(r, 'walker-nobody'), r.method === 'GET' ? undefined : {});
        expect(res.status, `${label(r)}: ${JSON.stringify(res.body)}`).toBe(404);
        expect(res.body, label(r)).toEqual({ status: 404, error: 'Not Found', response: { message: ['The "walker-nobody" instance does not exist'] } });
      });
    }
  });

  describe('a well-formed request on a connected sandbox instance gets the documented status and shape', () => {
    for (const r of routes) {
      const example = EXAMPLES[label(r)];
      if (!example) continue;
      it(label(r), async () => {
        const instance = example.onPeer ? PEER : INSTANCE;
        const body = example.body ? await example.body(world) : undefined;
        const query = example.query ? await example.query(world) : undefined;
        let path = pathFor(r, instance);
        for (const [param, value] of Object.entries(example.ids ? await example.ids(world) : {})) path = path.replace(`:${param}`, encodeURIComponent(value));
        const res = await world.call(r.method, withQuery(path, query), body ?? (r.method === 'GET' ? undefined : {}), instance);
        const where = `${label(r)} with ${JSON.stringify(body ?? query ?? null)}: ${res.status} ${JSON.stringify(res.body)?.slice(0, 600)}`;
        expect(res.status, where).toBe(r.success_status);
        if (example.shape === 'nullable' && res.body === null) return;
        if (example.shape === 'array') {
          expect(Array.isArray(res.body), `${where}: an array`).toBe(true);
          if (res.body.length && example.keys.length) expect(Object.keys(res.body[0]), where).toEqual(expect.arrayContaining(example.keys));
          return;
        }
        expect(res.body !== null && typeof res.body === 'object' && !Array.isArray(res.body), `${where}: an object`).toBe(true);
        expect(Object.keys(res.body), where).toEqual(expect.arrayContaining(example.keys));
      });
    }
  });
}, 120_000);
