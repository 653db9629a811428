import { S_WHATSAPP_NET } from 'baileys';
import type { BinaryNode, IqHandler, IqMatch, IqRecord, StanzaContext } from '../types.js';

interface Route {
  match: IqMatch;
  handler: IqHandler;
}

const firstChildTag = (node: BinaryNode): string | undefined =>
  Array.isArray(node.content) ? node.content[0]?.tag : undefined;

const matches = (m: IqMatch, iq: BinaryNode): boolean =>
  m.xmlns === iq.attrs.xmlns &&
  (m.type === undefined || m.type === iq.attrs.type) &&
  (m.child === undefined || m.child === firstChildTag(iq));

/** How specific a match is: later registrations and narrower matches win. */
const specificity = (m: IqMatch): number => (m.type ? 1 : 0) + (m.child ? 2 : 0);

export const recordOf = (iq: BinaryNode, connection: number): IqRecord => ({
  connection,
  id: iq.attrs.id ?? '',
  xmlns: iq.attrs.xmlns ?? '',
  type: iq.attrs.type ?? '',
  child: firstChildTag(iq),
});

/**
 * Routes the client's `get`/`set` IQs to handlers by xmlns (+ type, + first child tag).
 * An IQ no handler claims gets an empty `result` and is recorded in `unhandled`;
 * an IQ left without a reply (a handler said 'ignore', threw, or the socket closed first)
 * stays in `pending` until the connection is gone, and is then moved to `unanswered`.
 */
export class IqRouter {
  private readonly routes: Route[] = [];
  /** Every get/set IQ routed, in order. */
  readonly seen: IqRecord[] = [];
  readonly unhandled: IqRecord[] = [];
  readonly unanswered: IqRecord[] = [];
  /** Open IQs by `connection:id`. */
  readonly pending = new Map<string, IqRecord>();
  /** IQs to leave unanswered on purpose (drills), matched once each. */
  private readonly ignoreOnce: IqMatch[] = [];

  handle(match: IqMatch, handler: IqHandler): this {
    this.routes.push({ match, handler });
    return this;
  }

  /** Leaves the next IQ matching `match` unanswered (a drill). */
  ignoreNext(match: IqMatch): void {
    this.ignoreOnce.push(match);
  }

  /** The reply for `iq`, or undefined when it is to stay unanswered. */
  async route(iq: BinaryNode, ctx: StanzaContext): Promise<BinaryNode | undefined> {
    const record = recordOf(iq, ctx.conn.id);
    const key = `${record.connection}:${record.id}`;
    this.pending.set(key, record);
    this.seen.push(record);
    const drill = this.ignoreOnce.findIndex((m) => matches(m, iq));
    if (drill >= 0) {
      this.ignoreOnce.splice(drill, 1);
      return undefined;
    }
    const candidates = this.routes
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => matches(r.match, iq))
      .sort((a, b) => specificity(b.r.match) - specificity(a.r.match) || b.i - a.i);
    for (const { r } of candidates) {
      const out = await r.handler(iq, ctx);
      if (out === 'ignore') return undefined;
      if (out) return complete(out, iq);
    }
    this.unhandled.push(record);
    return complete({ tag: 'iq', attrs: {} }, iq);
  }

  /** Forgets what was recorded so far (after a drill that left IQs unanswered on purpose). */
  clearRecords(): void {
    this.seen.length = 0;
    this.unhandled.length = 0;
    this.unanswered.length = 0;
    this.pending.clear();
  }

  /** Called once the reply went out. */
  answered(connection: number, id: string): void {
    this.pending.delete(`${connection}:${id}`);
  }

  /** Called when a connection is gone: what it left open is unanswered for good. */
  closed(connection: number): void {
    for (const [key, record] of this.pending) {
      if (record.connection !== connection) continue;
      this.pending.delete(key);
      this.unanswered.push(record);
    }
  }
}

/** Fills the attributes every IQ reply carries. */
export const complete = (reply: BinaryNode, iq: BinaryNode): BinaryNode => ({
  ...reply,
  attrs: {
    from: S_WHATSAPP_NET,
    type: 'result',
    ...reply.attrs,
    id: iq.attrs.id ?? '',
  },
});

/** A `result` reply with the given children. */
export const result = (...content: BinaryNode[]): BinaryNode => ({
  tag: 'iq',
  attrs: {},
  ...(content.length ? { content } : {}),
});
