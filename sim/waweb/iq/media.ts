import type { MediaServer } from '../media.js';
import type { IqHandler } from '../types.js';
import { result } from './router.js';

/** `<iq xmlns="w:m" type="set"><media_conn/>`: the simulator's media server as the only upload host. */
export const mediaConnHandler =
  (media: MediaServer): IqHandler =>
  () =>
    result({
      tag: 'media_conn',
      attrs: { auth: media.auth, ttl: '300', auth_ttl: '21600', max_buckets: '12' },
      content: [{ tag: 'host', attrs: { hostname: media.host, maxContentLengthBytes: '104857600' } }],
    });
