import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildren, KEY_BUNDLE_TYPE } from 'baileys';
import type { KeyBundle } from '../contact-signal.js';
import type { BinaryNode, IqHandler } from '../types.js';
import { result } from './router.js';

/** Who can hand out a device's prekey bundle: the registry for companions, a contact's own store for contacts. */
export type BundleSource = (jid: string) => Promise<KeyBundle | undefined>;

const child = (tag: string, content: Uint8Array): BinaryNode => ({ tag, attrs: {}, content });

export const bundleNode = (jid: string, b: KeyBundle): BinaryNode => ({
  tag: 'user',
  attrs: { jid },
  content: [
    child('registration', encodeBigEndian(b.registrationId)),
    child('type', KEY_BUNDLE_TYPE),
    child('identity', b.identity),
    {
      tag: 'skey',
      attrs: {},
      content: [
        child('id', encodeBigEndian(b.signedPreKey.keyId, 3)),
        child('value', b.signedPreKey.public),
        child('signature', b.signedPreKey.signature),
      ],
    },
    ...(b.preKey
      ? [{ tag: 'key', attrs: {}, content: [child('id', encodeBigEndian(b.preKey.keyId, 3)), child('value', b.preKey.public)] }]
      : []),
  ],
});

/**
 * `<iq xmlns="encrypt" type="get"><key><user jid/>...</key>`: one bundle per device asked.
 * A device nobody knows is left out of the list, as the library then fails that one recipient only.
 */
export const encryptKeysHandler =
  (source: BundleSource): IqHandler =>
  async (iq) => {
    const users = getBinaryNodeChildren(getBinaryNodeChild(iq, 'key'), 'user');
    const nodes: BinaryNode[] = [];
    for (const { attrs } of users) {
      const jid = attrs.jid;
      if (!jid) continue;
      const b = await source(jid);
      if (b) nodes.push(bundleNode(jid, b));
    }
    return result({ tag: 'list', attrs: {}, content: nodes });
  };
