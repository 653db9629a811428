import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { connectedSandbox, GLOBAL_KEY, startTestServer, waitFor, type TestServer } from '../helpers/server.js';
import { WebhookReceiver } from '../helpers/receiver.js';

const withoutDestination = (body: any) => {
  const { destination: _d, ...rest } = body;
  return rest;
};

/** Connects, resolving with the socket or the refusal's message. */
function open(url: string, apikey?: string): Promise<{ socket?: Socket; error?: string }> {
  return new Promise((resolve) => {
    const socket = connectSocket(url, { transports: ['websocket'], query: apikey ? { apikey } : {}, reconnection: false, forceNew: true });
    socket.on('connect', () => resolve({ socket }));
    socket.on('connect_error', (e) => {
      socket.close();
      resolve({ error: e.message });
    });
  });
}

describe('WebSocket (socket.io on the server port)', () => {
  let server: TestServer;
  const hook = new WebhookReceiver();
  const sockets: Socket[] = [];
  beforeAll(async () => {
    await hook.start();
    // No allowed host: every client must authenticate (loopback would otherwise be let in without a key, as upstream).
    server = await startTestServer({ WEBSOCKET_ENABLED: 'true', WEBSOCKET_GLOBAL_EVENTS: 'true', WEBSOCKET_ALLOWED_HOSTS: '192.0.2.1' });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
    await hook.stop();
  });

  it('per-instance namespace and global root get the webhook envelope; tokens reach only their own namespace', async () => {
    const token = await connectedSandbox(server, 'wsa', '5511950000001', { webhook: { url: hook.url, events: ['MESSAGES_UPSERT'] } });
    const other = await connectedSandbox(server, 'wsb', '5511950000002');
    expect((await server.call('POST', '/websocket/set/wsa', { websocket: { enabled: true, events: ['MESSAGES_UPSERT'] } }, token)).status).toBe(201);

    expect((await open(`${server.url}/wsa`)).error).toBe('Unauthorized');
    expect((await open(`${server.url}/wsa`, other)).error).toBe('Unauthorized');
    expect((await open(`${server.url}/`, token)).error).toBe('Unauthorized');
    const own = await open(`${server.url}/wsa`, token);
    const root = await open(`${server.url}/`, GLOBAL_KEY);
    expect(own.socket && root.socket).toBeTruthy();
    sockets.push(own.socket!, root.socket!);
    const onOwn: any[] = [];
    const onRoot: any[] = [];
    own.socket!.on('messages.upsert', (body, meta) => onOwn.push({ body, meta }));
    root.socket!.on('messages.upsert', (body, meta) => onRoot.push({ body, meta }));

    await server.call('POST', '/sandbox/inbound/wsa', { from: '5511920000099', text: 'to the sockets' });
    const webhook = await hook.waitForEvent('messages.upsert', (r) => r.body.instance === 'wsa');
    await waitFor(() => onOwn.length && onRoot.length, 5000, 'the event on both namespaces');
    expect(onOwn[0].body).toEqual(withoutDestination(webhook.body));
    expect(onOwn[0].meta).toEqual({ id: webhook.headers['webhook-id'] });
    expect(onRoot[0].body).toEqual(withoutDestination(webhook.body));
  });
});
