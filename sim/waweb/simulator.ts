import { Curve, type KeyPair } from 'baileys';
import { WebSocketServer, type WebSocket } from 'ws';
import { messagingOf, type Messaging, type SimContact } from './contacts.js';
import { Connection } from './connection.js';
import { dropConnection } from './drills.js';
import { registerLoginIqs } from './iq/index.js';
import { MexQueries } from './iq/mex.js';
import { IqRouter } from './iq/router.js';
import { handlePayload, PairingSessions } from './login.js';
import { CodePairings } from './pairing-code.js';
import { Phone } from './phone.js';
import { Registry } from './registry.js';
import type { BinaryNode, DropReason, IqRecord, StanzaHandler } from './types.js';

export interface SimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
}

/**
 * A local WhatsApp Web server for the real library: noise handshake, login and pairing,
 * an IQ router and a registry of users. Other parts plug in through `router.handle(...)`
 * and `onStanza(tag, ...)` rather than by editing the transport.
 */
export class Simulator {
  readonly registry = new Registry();
  readonly router = new IqRouter();
  readonly connections = new Set<Connection>();
  readonly pairing = new PairingSessions();
  /** Companions that asked for a pairing code. */
  readonly codePairing = new CodePairings();
  /** GraphQL (`w:mex`) responders by query id. */
  readonly mex = new MexQueries();
  /** The server's noise static key, certified by the test chain. */
  readonly staticKey: KeyPair = Curve.generateKeyPair();
  url = '';
  private server: WebSocketServer | undefined;
  private readonly stanzaHandlers = new Map<string, StanzaHandler[]>();
  private readonly phones = new Map<string, Phone>();
  /** Errors thrown by handlers; tests may assert it stays empty. */
  readonly errors: Error[] = [];

  async start(options: SimulatorOptions = {}): Promise<this> {
    registerLoginIqs(this);
    const server = new WebSocketServer({ host: '127.0.0.1', port: options.port ?? 0, path: '/ws/chat' });
    await new Promise<void>((resolve, reject) => {
      server.on('listening', resolve);
      server.on('error', reject);
    });
    server.on('connection', (ws: WebSocket) => this.accept(ws));
    const address = server.address();
    if (typeof address === 'string') throw new Error('unexpected pipe address');
    this.url = `ws://127.0.0.1:${address.port}/ws/chat`;
    this.server = server;
    return this;
  }

  private accept(ws: WebSocket): void {
    const conn = new Connection(ws, this.staticKey, {
      onPayload: (c, payload) => handlePayload(this, c, payload),
      onNode: (c, node) => this.dispatch(c, node),
      onError: (_c, error) => this.errors.push(error),
      onClose: (c) => {
        this.connections.delete(c);
        this.pairing.forget(c);
        this.codePairing.sessions.delete(c);
        this.router.closed(c.id);
      },
    });
    this.connections.add(conn);
  }

  private async dispatch(conn: Connection, node: BinaryNode): Promise<void> {
    const ctx = { conn };
    try {
      if (node.tag === 'iq' && (node.attrs.type === 'get' || node.attrs.type === 'set')) {
        const reply = await this.router.route(node, ctx);
        if (reply) {
          await conn.send(reply);
          this.router.answered(conn.id, node.attrs.id ?? '');
        }
        return;
      }
      for (const handler of this.stanzaHandlers.get(node.tag) ?? []) await handler(node, ctx);
    } catch (error) {
      this.errors.push(error as Error);
    }
  }

  /** Hook for non-IQ stanzas from clients (`message`, `receipt`, `ack`, `presence`, `ib`, ...). */
  onStanza(tag: string, handler: StanzaHandler): this {
    const list = this.stanzaHandlers.get(tag) ?? [];
    list.push(handler);
    this.stanzaHandlers.set(tag, list);
    return this;
  }

  private readonly loginHandlers: ((conn: Connection) => Promise<number>)[] = [];

  /** Hook run once a companion logged in, before `<ib><offline>`: returns how many offline stanzas it sent. */
  onLogin(handler: (conn: Connection) => Promise<number>): this {
    this.loginHandlers.push(handler);
    return this;
  }

  async loggedIn(conn: Connection): Promise<number> {
    let sent = 0;
    for (const handler of this.loginHandlers) sent += await handler(conn);
    return sent;
  }

  /** Contacts, groups, media and receipts (contacts.ts), set up on first use. */
  get messaging(): Messaging {
    return messagingOf(this);
  }

  /** The simulated contact of `number`: `sendText(to, text)`, `received()`, `waitFor(text)`, `read(key)`. */
  contact(number: string, name?: string): SimContact {
    return this.messaging.contact(number, name);
  }

  /** The simulated phone of `number` (its primary device), created on first use. */
  phone(number: string): Phone {
    const user = this.registry.user(number);
    let phone = this.phones.get(user.phone);
    if (!phone) {
      phone = new Phone(this, user);
      this.phones.set(user.phone, phone);
    }
    return phone;
  }

  /** Open connections logged in as `jid` (a device JID, or a user JID for all its devices). */
  connectionsOf(jid: string): Connection[] {
    const exact = jid.includes(':');
    const user = jid.split('@')[0]!.split(':')[0];
    return [...this.connections].filter(
      (c) => c.jid !== undefined && (exact ? c.jid === jid : c.jid.split('@')[0]!.split(':')[0] === user),
    );
  }

  /** Drops the connections of `jid` so that the library reports `reason` (see drills.ts). */
  async drop(jid: string, reason: DropReason): Promise<void> {
    const conns = this.connectionsOf(jid);
    if (!conns.length) throw new Error(`no open connection for ${jid}`);
    await Promise.all(conns.map((c) => dropConnection(c, reason)));
  }

  /** IQs left without a reply (on purpose or not) by connections that are gone or still open. */
  unanswered(): IqRecord[] {
    return [...this.router.unanswered, ...this.router.pending.values()];
  }

  /** IQs no handler claimed, answered with the generic empty result. */
  unhandled(): IqRecord[] {
    return [...this.router.unhandled];
  }

  async stop(): Promise<void> {
    for (const conn of this.connections) conn.terminate();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
