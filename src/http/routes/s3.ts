import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Loose, Obj } from '../schemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { MediaQueries } from '../../domain/mediaQueries.js';
import { DiskMediaStore, DISK_MEDIA_ROUTE } from '../../media/store/disk.js';
import { errorBody } from '../errors.js';

const GetMediaBody = Obj({ id: Type.Optional(Type.String()), type: Type.Optional(Type.String()), messageId: Type.Optional(Type.String()) });
const GetMediaUrlBody = Obj({ id: Type.String({ pattern: '^\\d+$', minLength: 1 }), expiry: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600, description: 'Seconds the URL stays valid (default a week)' })) });
const MediaRowSchema = Obj({ id: Type.String(), fileName: Type.String(), type: Type.String(), mimetype: Type.String(), size: Type.Integer(), messageId: Type.String(), instanceId: Type.String(), createdAt: Type.String() });

/** /s3/*: the instance's kept media (on S3 or local disk) and URLs to it; plus the signed download route of the disk store. */
export function s3Routes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const queries = new MediaQueries(gateway);

  app.post<{ Params: { instanceName: string }; Body: Static<typeof GetMediaBody> }>(
    '/s3/getMedia/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['s3'], summary: "The instance's media rows, with their message", params: InstanceParams, body: { ...GetMediaBody, examples: [{ type: 'imageMessage' }] }, response: { 201: Type.Array(Loose('Media row with Message')), ...errorResponses } } },
    async (request, reply) => {
      const rows = await queries.find(request.live as LiveInstance, request.body);
      reply.status(201);
      return rows;
    },
  );

  app.post<{ Params: { instanceName: string }; Body: Static<typeof GetMediaUrlBody> }>(
    '/s3/getMediaUrl/:instanceName',
    { onRequest: guards.instance, schema: { tags: ['s3'], summary: 'A URL that downloads one media row without an API key', params: InstanceParams, body: { ...GetMediaUrlBody, examples: [{ id: '1733090000000123456', expiry: 3600 }] }, response: { 200: Obj({ mediaUrl: Type.String(), ...MediaRowSchema.properties }), ...errorResponses } } },
    (request) => queries.url(request.live as LiveInstance, request.body.id, request.body.expiry),
  );

  const store = gateway.media.store;
  if (!(store instanceof DiskMediaStore)) return;
  // Disk media URLs name this server: SERVER_URL (set it when clients reach the server by another name), else the
  // address it listens on (loopback when it listens on every address).
  app.addHook('onListen', (done) => {
    const address = app.server.address() as AddressInfo | null;
    if (!store.publicBase && address) {
      const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
      store.publicBase = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    }
    done();
  });
  app.get<{ Params: { '*': string }; Querystring: { expires?: string; signature?: string } }>(
    `${DISK_MEDIA_ROUTE}/*`,
    { schema: { tags: ['s3'], summary: 'Downloads disk-stored media by a signed URL (from mediaUrl or /s3/getMediaUrl)', security: [], querystring: Obj({ expires: Type.Optional(Type.String()), signature: Type.Optional(Type.String()) }) } },
    async (request, reply) => {
      const key = request.params['*'];
      if (!gateway.media.signer.verify(key, Number(request.query.expires), request.query.signature ?? '')) return reply.status(403).send(errorBody(403, ['The media URL is invalid or has expired']));
      const info = await store.stat(key).catch(() => undefined);
      const body = info && (await store.get(key));
      if (!info || !body) return reply.status(404).send(errorBody(404, ['Media not found']));
      return reply.header('content-type', info.mimetype).header('content-length', info.size).header('cache-control', 'private, max-age=3600').send(body);
    },
  );
}
