import type { TSchema } from 'typebox';

/**
 * Documents examples on a body or response schema. The OpenAPI document shows them on the route's media type
 * (`example`, or `examples` when there are several); validation ignores them.
 */
export function withExamples<T extends TSchema>(schema: T, ...examples: unknown[]): T {
  return { ...schema, examples } as T;
}
