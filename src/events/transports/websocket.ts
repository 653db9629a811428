import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Logger } from 'pino';
import { listSelects, type GatewayEvent } from '../../domain/events.js';
import type { InstanceRegistry } from '../../domain/registry.js';
import { secretMatchesDigest, sha256Digest } from '../../security/secrets.js';
import type { EventSink } from '../sink.js';
import type { EventTransportsConfig } from './config.js';
import { envelopeJson, type BusContext } from './routing.js';

type Config = EventTransportsConfig['websocket'];

/** The handshake's apikey: query `apikey` or header `apikey`. */
function apikeyOf(socket: Socket): string | undefined {
  const q = socket.handshake.query.apikey;
  const h = socket.handshake.headers.apikey;
  const v = (Array.isArray(q) ? q[0] : q) ?? (Array.isArray(h) ? h[0] : h);
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * socket.io on the server's port (default path /socket.io). WEBSOCKET_GLOBAL_EVENTS=true emits every event on the
 * root namespace; an instance whose websocket setting is enabled gets the events of its list on `/<instanceName>`.
 * socket.io event = the event name, payload = the 7-field envelope, then `{ id }` (the event id) as a second argument.
 * A client from WEBSOCKET_ALLOWED_HOSTS needs no key (upstream); any other needs the global key, or, for the
 * namespace of its own instance only, that instance's token. Live only: a client that is not connected misses the
 * events of that time (docs/events.md), so this transport does not go through the outbox.
 */
export class WebSocketSink implements EventSink {
  readonly name = 'websocket';
  private io?: Server;
  private readonly globalDigest: Buffer;
  emitted = 0;

  constructor(private readonly config: Config, private readonly ctx: BusContext, private readonly registry: InstanceRegistry, globalKey: string, private readonly cors: string[] | '*', private readonly logger: Logger) {
    this.globalDigest = sha256Digest(globalKey);
  }

  attach(server: HttpServer): void {
    const io = new Server(server, { serveClient: false, cors: { origin: this.cors === '*' ? '*' : this.cors } });
    io.use((socket, next) => (this.admit(socket, undefined) ? next() : next(new Error('Unauthorized'))));
    io.of(/^\/[^/]+$/).use((socket, next) => (this.admit(socket, socket.nsp.name.slice(1)) ? next() : next(new Error('Unauthorized'))));
    this.io = io;
  }

  publish(event: GatewayEvent): void {
    const io = this.io;
    if (!io) return;
    let body: unknown;
    const payload = () => (body ??= JSON.parse(envelopeJson(event, this.ctx)));
    const meta = { id: `evt_${event.id}` };
    if (this.config.global) {
      io.of('/').emit(event.event, payload(), meta);
      this.emitted++;
    }
    const setting = this.ctx.settingOf(event.instanceId, 'websocket');
    if (setting?.enabled && listSelects(setting.events, event.event)) {
      // Only a namespace a client opened (through the authenticated parent): io.of(name) would create one without its guard.
      const nsp = io._nsps.get(`/${event.instanceName}`);
      if (nsp) {
        nsp.emit(event.event, payload(), meta);
        this.emitted++;
      }
    }
  }

  async drain(): Promise<void> {}

  async close(): Promise<void> {
    const io = this.io;
    this.io = undefined;
    if (!io) return;
    // Clients off, engine closed; the HTTP server itself is Fastify's to close.
    for (const nsp of io._nsps.values()) nsp.disconnectSockets(true);
    io.engine.close();
  }

  /** Allowed host, global key, or (for its own namespace only) an instance token; constant-time comparisons. */
  private admit(socket: Socket, instance: string | undefined): boolean {
    const address = socket.handshake.address;
    if (this.config.allowedHosts.includes(address)) return true;
    const key = apikeyOf(socket);
    if (!key) return false;
    if (secretMatchesDigest(key, this.globalDigest)) return true;
    if (instance === undefined) return false;
    const live = this.registry.get(decodeURIComponent(instance));
    const ok = !!live && this.registry.tokenMatches(live, key);
    if (!ok) this.logger.debug({ instance }, 'websocket connection refused');
    return ok;
  }
}
