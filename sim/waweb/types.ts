import type { BinaryNode } from 'baileys';

export type { BinaryNode };

/** The disconnect reasons a drill can reproduce, as `lastDisconnect.error.output.statusCode`. */
export type DropReason = 401 | 408 | 428 | 440 | 500 | 515;

/** What an IQ handler is registered for: the `xmlns`, optionally narrowed by `type` and first child tag. */
export interface IqMatch {
  xmlns: string;
  type?: string;
  child?: string;
}

/** The server side of one client connection, as handlers see it. */
export interface SimConnection {
  readonly id: number;
  /** The companion's device JID once it logged in (`<user>:<device>@s.whatsapp.net`), else undefined. */
  readonly jid: string | undefined;
  /** True once the socket is gone (or closing). */
  readonly closed: boolean;
  send(node: BinaryNode): Promise<void>;
  /** Sends a server-initiated IQ and resolves with the client's result/error. */
  query(node: BinaryNode, timeoutMs?: number): Promise<BinaryNode>;
  /** A fresh id for a server-initiated stanza. */
  nextTag(): string;
  close(): void;
}

/** Context given to a handler: the connection the stanza came from. */
export interface StanzaContext {
  conn: SimConnection;
}

/**
 * Answers an IQ. Return the reply node (its `id`/`type`/`to` are filled in when missing),
 * `'ignore'` to leave it unanswered on purpose, or undefined to fall through to the next match.
 */
export type IqHandler = (
  iq: BinaryNode,
  ctx: StanzaContext,
) => BinaryNode | 'ignore' | undefined | Promise<BinaryNode | 'ignore' | undefined>;

/** Handles a non-IQ stanza (message, receipt, ack, notification, presence, ib...). */
export type StanzaHandler = (node: BinaryNode, ctx: StanzaContext) => void | Promise<void>;

/** An IQ the simulator saw, for `unhandled()` / `unanswered()` reports. */
export interface IqRecord {
  connection: number;
  id: string;
  xmlns: string;
  type: string;
  child: string | undefined;
}
