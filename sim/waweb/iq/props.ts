import type { IqRouter } from './router.js';
import { result } from './router.js';

const PROPS_HASH = 'sim-props-1';

/** Server (`w`) and A/B (`abt`) props: an empty set, with a hash so the client can cache it. */
export const registerProps = (router: IqRouter): void => {
  const props = () => result({ tag: 'props', attrs: { protocol: '1', hash: PROPS_HASH, refresh: '86400' } });
  router.handle({ xmlns: 'abt', type: 'get', child: 'props' }, props);
  router.handle({ xmlns: 'w', type: 'get', child: 'props' }, props);
};
