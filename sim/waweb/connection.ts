import { decodeBinaryNode, encodeBinaryNode, type KeyPair, type proto } from 'baileys';
import type { WebSocket } from 'ws';
import { frame, FrameReader } from './framing.js';
import { NoiseResponder, type Transport } from './noise.js';
import type { BinaryNode, SimConnection } from './types.js';

export interface ConnectionEvents {
  /** The handshake finished: decide between login and registration. */
  onPayload(conn: Connection, payload: proto.ClientPayload): Promise<void>;
  /** A decoded stanza from the client. */
  onNode(conn: Connection, node: BinaryNode): Promise<void>;
  onClose(conn: Connection): void;
  /** A frame the server could not process (bad handshake, undecryptable frame...); the socket is closed. */
  onError(conn: Connection, error: Error): void;
}

let nextId = 1;

/** The server end of one client WebSocket: framing, noise, then binary nodes both ways. */
export class Connection implements SimConnection {
  readonly id = nextId++;
  jid: string | undefined;
  /** The client's noise static key, known after the handshake. */
  clientNoiseKey: Buffer | undefined;
  payload: proto.ClientPayload | undefined;
  closed = false;
  private readonly reader = new FrameReader();
  private readonly noise: NoiseResponder;
  private transport: Transport | undefined;
  private stage: 'hello' | 'finish' | 'open' = 'hello';
  /** Server-initiated IQs waiting for the client's result/error, by id. */
  private readonly waiting = new Map<string, { resolve: (node: BinaryNode) => void; reject: (error: Error) => void }>();
  private queue: Promise<void> = Promise.resolve();
  private serverTag = 0;

  constructor(
    private readonly ws: WebSocket,
    staticKey: KeyPair,
    private readonly events: ConnectionEvents,
  ) {
    this.noise = new NoiseResponder(staticKey);
    // Frames are handled strictly in order: decryption counters depend on it.
    ws.on('message', (data: Buffer) => {
      this.queue = this.queue
        .then(() => this.onData(data))
        .catch((error: Error) => {
          this.events.onError(this, error);
          this.close();
        });
    });
    ws.on('close', () => {
      this.closed = true;
      for (const [id, w] of this.waiting) w.reject(new Error(`connection closed before the client answered server iq ${id}`));
      this.waiting.clear();
      this.events.onClose(this);
    });
    ws.on('error', () => this.close());
  }

  private async onData(data: Buffer): Promise<void> {
    for (const f of this.reader.push(data)) {
      if (this.stage === 'hello') {
        this.ws.send(frame(this.noise.serverHello(f)));
        this.stage = 'finish';
      } else if (this.stage === 'finish') {
        const done = this.noise.clientFinish(f);
        this.transport = done.transport;
        this.clientNoiseKey = done.clientStaticPublic;
        this.payload = done.payload;
        this.stage = 'open';
        await this.events.onPayload(this, done.payload);
      } else {
        const node = await decodeBinaryNode(this.transport!.decrypt(f));
        const waiter = node.tag === 'iq' && this.waiting.get(node.attrs.id ?? '');
        if (waiter && (node.attrs.type === 'result' || node.attrs.type === 'error')) {
          this.waiting.delete(node.attrs.id!);
          waiter.resolve(node);
        } else {
          await this.events.onNode(this, node);
        }
      }
    }
  }

  async send(node: BinaryNode): Promise<void> {
    if (this.closed || !this.transport) return;
    const bytes = frame(this.transport.encrypt(encodeBinaryNode(node)));
    await new Promise<void>((resolve) => this.ws.send(bytes, () => resolve()));
  }

  /** Sends a server-initiated IQ and waits for the client's answer. */
  query(node: BinaryNode, timeoutMs = 10_000): Promise<BinaryNode> {
    const id = node.attrs.id ?? `srv-${this.id}-${++this.serverTag}`;
    const out = { ...node, attrs: { ...node.attrs, id } };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`client left server iq ${id} unanswered`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.send(out).catch(reject);
    });
  }

  /** A fresh id for a server-initiated stanza. */
  nextTag(): string {
    return `srv-${this.id}-${++this.serverTag}`;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close();
  }

  /** Hard drop, no close frame. */
  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}
