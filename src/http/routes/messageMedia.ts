import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { RouteContext } from '../app.js';
import { errorResponses, InstanceParams, Obj, StoredMessageSchema } from '../schemas.js';
import { RecipientFields } from '../sendSchemas.js';
import type { LiveInstance } from '../../domain/registry.js';
import { MediaMessageService, type SendMediaInput, type SendStatusInput } from '../../domain/mediaMessages.js';
import { acceptMultipart, uploadedFile } from '../../media/multipart.js';

const MediaString = (description: string) => Type.Optional(Type.String({ description }));
const URL_OR_BASE64 = 'URL (http/https) or base64 (plain or data URI); or send multipart/form-data with a `file` field instead';

const SendMediaBody = Obj({
  ...RecipientFields,
  mediatype: Type.String({ enum: ['image', 'document', 'video', 'audio'] }),
  media: MediaString(URL_OR_BASE64),
  mimetype: Type.Optional(Type.String({ description: 'Used only when the content has no signature (text files); otherwise the type is read from the content' })),
  caption: Type.Optional(Type.String()),
  fileName: Type.Optional(Type.String({ maxLength: 500, description: 'Required for base64 documents' })),
});
const SendPtvBody = Obj({ ...RecipientFields, video: MediaString(URL_OR_BASE64) });
const SendAudioBody = Obj({ ...RecipientFields, audio: MediaString(URL_OR_BASE64), encoding: Type.Optional(Type.Boolean({ description: 'false: send the file as it is, without converting it to OGG/Opus' })) });
const SendStickerBody = Obj({ ...RecipientFields, sticker: MediaString(URL_OR_BASE64), notConvertSticker: Type.Optional(Type.Boolean({ description: 'true: a WebP file is sent as it is' })) });
const SendStatusBody = Obj({
  type: Type.String({ enum: ['text', 'image', 'audio', 'video'] }),
  content: Type.Optional(Type.String({ description: 'The text, or the media as URL or base64' })),
  caption: Type.Optional(Type.String()),
  backgroundColor: Type.Optional(Type.String({ description: '#RRGGBB, text statuses' })),
  font: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
  statusJidList: Type.Optional(Type.Array(Type.String())),
  allContacts: Type.Optional(Type.Boolean()),
});

const mediaExample = { number: '5511999999999', mediatype: 'image', media: 'https://example.com/picture.jpg', caption: 'A picture' };

/** /message/sendMedia and the other media sends; multipart `file` is accepted on these routes only. */
export function messageMediaRoutes(app: FastifyInstance, { gateway, guards }: RouteContext): void {
  const service = new MediaMessageService(gateway);
  const live = (r: FastifyRequest) => r.live as LiveInstance;
  const consumes = ['application/json', 'multipart/form-data'];

  void app.register(async (scope) => {
    await acceptMultipart(scope, gateway.config.media.maxBytes);
    const route = <B extends ReturnType<typeof Obj>>(path: string, summary: string, body: B, send: (r: FastifyRequest<{ Body: Static<B> }>) => Promise<unknown>, example?: unknown) =>
      scope.post<{ Params: { instanceName: string }; Body: Static<B> }>(
        `/message/${path}/:instanceName`,
        { onRequest: guards.instance, schema: { tags: ['message'], summary, consumes, params: InstanceParams, body: example ? { ...body, examples: [example] } : body, response: { 201: StoredMessageSchema, ...errorResponses } } },
        async (request, reply) => {
          const result = await send(request);
          reply.status(201);
          return result;
        },
      );

    route('sendMedia', 'Send an image, video, audio or document', SendMediaBody, (r) => service.sendMedia(live(r), r.body as SendMediaInput, uploadedFile(r)), mediaExample);
    route('sendPtv', 'Send a round video note (PTV)', SendPtvBody, (r) => service.sendPtv(live(r), r.body, uploadedFile(r)), { number: '5511999999999', video: 'https://example.com/clip.mp4' });
    route('sendWhatsAppAudio', 'Send a voice note (converted to OGG/Opus)', SendAudioBody, (r) => service.sendWhatsAppAudio(live(r), r.body, uploadedFile(r)), { number: '5511999999999', audio: 'https://example.com/voice.mp3' });
    route('sendSticker', 'Send a sticker (converted to WebP)', SendStickerBody, (r) => service.sendSticker(live(r), r.body, uploadedFile(r)), { number: '5511999999999', sticker: 'https://example.com/sticker.png' });
    route('sendStatus', 'Post a status (text, image, audio or video)', SendStatusBody, (r) => service.sendStatus(live(r), r.body as SendStatusInput, uploadedFile(r)), { type: 'text', content: 'Hello', backgroundColor: '#008000', font: 1, allContacts: true });
  });
}
