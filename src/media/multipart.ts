import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UploadedFile } from '../domain/mediaMessages.js';

const NUMBER_FIELDS = new Set(['delay', 'font', 'selectableCount']);
const BOOLEAN_FIELDS = new Set(['linkPreview', 'mentionsEveryOne', 'encoding', 'notConvertSticker', 'allContacts', 'everyOne']);
const JSON_FIELDS = new Set(['quoted', 'mentioned', 'statusJidList']);

const uploads = new WeakMap<FastifyRequest, UploadedFile>();

/** The multipart `file` of a request, if it had one. */
export const uploadedFile = (request: FastifyRequest): UploadedFile | undefined => uploads.get(request);

/** A form field as the JSON body would carry it: numbers, booleans and JSON (arrays, objects) parsed. */
function coerce(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMBER_FIELDS.has(name) && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  if (BOOLEAN_FIELDS.has(name) && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  if (JSON_FIELDS.has(name) && /^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

interface Part {
  type?: 'file' | 'field';
  value?: unknown;
  filename?: string;
  mimetype?: string;
  _buf?: Buffer | null;
  toBuffer?: () => Promise<Buffer>;
}

/**
 * multipart/form-data for the routes of this scope only (as upstream: one file field, `file`, kept in memory, up to
 * `maxBytes`); other fields become the JSON body the route's schema validates.
 */
export async function acceptMultipart(scope: FastifyInstance, maxBytes: number): Promise<void> {
  await scope.register(multipart, { attachFieldsToBody: true, limits: { fileSize: maxBytes, files: 1, fields: 50 }, throwFileSizeLimit: true });
  scope.addHook('preValidation', async (request) => {
    if (!request.isMultipart()) return;
    const raw = (request.body ?? {}) as Record<string, Part | Part[]>;
    const body: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(raw)) {
      const part = Array.isArray(entry) ? entry[0]! : entry;
      if (part.type === 'file') {
        if (name === 'file') uploads.set(request, { data: part._buf ?? (await part.toBuffer!()), ...(part.filename ? { fileName: part.filename } : {}), ...(part.mimetype ? { mimetype: part.mimetype } : {}) });
        continue;
      }
      body[name] = Array.isArray(entry) && JSON_FIELDS.has(name) ? entry.map((p) => p.value) : coerce(name, part.value);
    }
    request.body = body;
  });
}
