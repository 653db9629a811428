import { getBinaryNodeChild, getBinaryNodeChildren } from 'baileys';
import type { IqRouter } from './router.js';
import { result } from './router.js';

/**
 * App-state sync (`w:sync:app:state`): the simulator holds no patches, so each requested
 * collection comes back at the version asked for, with nothing more to fetch.
 * Uploaded patches (`<patch>` children) are accepted and dropped.
 */
export const registerAppState = (router: IqRouter): void => {
  router.handle({ xmlns: 'w:sync:app:state', type: 'set', child: 'sync' }, (iq) => {
    const collections = getBinaryNodeChildren(getBinaryNodeChild(iq, 'sync'), 'collection');
    return result({
      tag: 'sync',
      attrs: {},
      content: collections.map(({ attrs }) => ({
        tag: 'collection',
        attrs: { name: attrs.name ?? '', version: attrs.version ?? '0', has_more_patches: 'false' },
      })),
    });
  });
};
