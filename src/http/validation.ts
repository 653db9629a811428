import type { FastifySchemaValidationError } from 'fastify/types/schema.js';

/**
 * Renders schema errors the way upstream's jsonschema library words them, one string per error:
 * `instance requires property "text"`, `number is not of a type(s) string`, `presence is not one of enum values: a,b`.
 */
export function formatValidationErrors(errors: FastifySchemaValidationError[], context?: string): string[] {
  const out = errors.map((e) => {
    const params = e.params as Record<string, unknown>;
    const path = pathOf(e.instancePath, context);
    const schema = (e as { parentSchema?: { description?: string; 'x-error'?: string } }).parentSchema;
    if (schema?.['x-error']) return schema['x-error'];
    switch (e.keyword) {
      case 'required':
        return `${path} requires property "${String(params.missingProperty)}"`;
      case 'type':
        return `${path} is not of a type(s) ${String(params.type)}`;
      case 'enum':
        return `${path} is not one of enum values: ${((params.allowedValues as unknown[]) ?? []).join(',')}`;
      case 'minLength':
      case 'minItems':
        return `${path} does not meet minimum length of ${String(params.limit)}`;
      case 'maxLength':
      case 'maxItems':
        return `${path} does not meet maximum length of ${String(params.limit)}`;
      case 'minimum':
        return `${path} must be greater than or equal to ${String(params.limit)}`;
      case 'maximum':
        return `${path} must be less than or equal to ${String(params.limit)}`;
      case 'pattern':
        return `${path} does not match pattern "${String(params.pattern)}"`;
      case 'anyOf':
        return `${path} is not any of the accepted shapes`;
      default:
        return `${path} ${e.message ?? 'is invalid'}`;
    }
  });
  return [...new Set(out)];
}

/** "/webhook/url" -> "webhook.url"; the root is "instance" as upstream names it. */
function pathOf(instancePath: string, context?: string): string {
  if (!instancePath) return context === 'querystring' ? 'query' : 'instance';
  return instancePath
    .slice(1)
    .split('/')
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}
