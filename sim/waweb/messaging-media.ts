import type { ContactMessage, SimContact } from './contact.js';
import { mediaConnHandler } from './iq/media.js';
import { MediaServer, makeTestCa, type TestCa } from './media.js';
import { caDispatcher, downloadMedia, MEDIA_KINDS, mediaOf, uploadMedia, type MediaKind } from './media-crypto.js';
import type { Messaging } from './messaging.js';

/** The simulator's media host and the contacts' side of media. */
export class MessagingMedia {
  private host: { server: MediaServer; tls: TestCa; dispatcher: ReturnType<typeof caDispatcher> } | undefined;

  constructor(private readonly messaging: Messaging) {}

  /** Starts the HTTPS media host (a test CA of its own) and answers `media_conn` with it. Returns the CA to trust. */
  async start(): Promise<TestCa> {
    if (this.host) return this.host.tls;
    const tls = makeTestCa();
    const server = await new MediaServer(tls).start();
    this.host = { server, tls, dispatcher: caDispatcher(tls) };
    this.messaging.sim.router.handle({ xmlns: 'w:m', type: 'set', child: 'media_conn' }, mediaConnHandler(server));
    return tls;
  }

  get server(): MediaServer | undefined {
    return this.host?.server;
  }

  private started() {
    if (!this.host) throw new Error('call media.start() first');
    return this.host;
  }

  /** `contact` uploads `image` (encrypted) and sends it to `to`. */
  sendImage(contact: SimContact, to: string, image: Buffer, caption?: string): Promise<string> {
    return this.send(contact, to, image, 'image', 'image/jpeg', caption ? { caption } : {});
  }

  /** `contact` uploads `data` as `kind` and sends it to `to`; `extra` adds fields (caption, fileName, ptt...). */
  async send(contact: SimContact, to: string, data: Buffer, kind: MediaKind, mimetype: string, extra: object = {}): Promise<string> {
    const fields = await uploadMedia(this.started().server, data, kind, mimetype);
    return contact.send(to, { [MEDIA_KINDS[kind]]: { ...fields, ...extra } });
  }

  /** Downloads and decrypts the media a contact received, over HTTPS from the media host. */
  download(m: ContactMessage): Promise<Buffer> {
    const media = mediaOf(m.message);
    if (!media) throw new Error(`${m.key.id} carries no media`);
    return downloadMedia(media.fields, media.kind, this.started().dispatcher);
  }

  async stop(): Promise<void> {
    await this.host?.server.stop();
    await this.host?.dispatcher.close();
  }
}
