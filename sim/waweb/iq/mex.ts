import { getBinaryNodeChild } from 'baileys';
import type { IqRouter } from './router.js';
import { result } from './router.js';

/** Answers one GraphQL (`w:mex`) query: gets its variables, returns its `data` object. */
export type MexResponder = (variables: Record<string, unknown>) => Record<string, unknown>;

/**
 * `w:mex` queries by `query_id`. A query with no responder gets `{"data":{}}`, which the
 * library turns into its own "unexpected response" error for that call only.
 */
export class MexQueries {
  private readonly responders = new Map<string, MexResponder>();

  on(queryId: string, responder: MexResponder): this {
    this.responders.set(queryId, responder);
    return this;
  }

  register(router: IqRouter): void {
    router.handle({ xmlns: 'w:mex', child: 'query' }, (iq) => {
      const query = getBinaryNodeChild(iq, 'query');
      const raw = query?.content instanceof Uint8Array ? Buffer.from(query.content).toString('utf8') : '{}';
      const { variables = {} } = JSON.parse(raw) as { variables?: Record<string, unknown> };
      const data = this.responders.get(query?.attrs.query_id ?? '')?.(variables) ?? {};
      return result({ tag: 'result', attrs: {}, content: Buffer.from(JSON.stringify({ data })) });
    });
  }
}
