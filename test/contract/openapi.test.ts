import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { contractRoutes, groupOf, label } from './walker.js';

/** /docs/json documents every route of the messaging surface: its tag, a summary, its body schema, an example. */
const routes = contractRoutes();

type Media = { schema?: unknown; example?: unknown; examples?: Record<string, unknown> };
type Operation = { tags?: string[]; summary?: string; requestBody?: { content?: Record<string, Media> }; responses?: Record<string, { content?: Record<string, Media> }> };

const hasExample = (content: Record<string, Media> | undefined) => Object.values(content ?? {}).some((m) => m.example !== undefined || Object.keys(m.examples ?? {}).length > 0);

describe('OpenAPI document of the messaging surface', () => {
  let server: TestServer;
  let paths: Record<string, Record<string, Operation>>;

  beforeAll(async () => {
    server = await startTestServer();
    const res = await server.call('GET', '/docs/json', undefined, null);
    expect(res.status).toBe(200);
    paths = res.body.paths;
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const r of routes) {
    it(label(r), () => {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      const op = paths[path]?.[r.method.toLowerCase()];
      expect(op, `${label(r)} is not in /docs/json`).toBeDefined();
      expect(op!.tags, `${label(r)}: tags`).toContain(groupOf(r));
      expect(op!.summary?.trim().length ?? 0, `${label(r)}: summary`).toBeGreaterThan(0);
      if (r.body_fields.length) {
        const schemas = Object.values(op!.requestBody?.content ?? {}).filter((m) => m.schema);
        expect(schemas.length, `${label(r)}: request body schema`).toBeGreaterThan(0);
      }
      const examples = hasExample(op!.requestBody?.content) || Object.values(op!.responses ?? {}).some((res) => hasExample(res.content));
      expect(examples, `${label(r)}: no example on its body or its responses`).toBe(true);
    });
  }
});
