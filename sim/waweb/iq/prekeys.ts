import { encodeBigEndian, getBinaryNodeChild, getBinaryNodeChildBuffer, getBinaryNodeChildren } from 'baileys';
import type { PreKeyStore, Registry, SignedPreKey } from '../registry.js';
import type { BinaryNode, StanzaContext } from '../types.js';
import { type IqRouter, result } from './router.js';

const uint = (buf: Uint8Array | undefined): number => (buf ? Buffer.from(buf).readUIntBE(0, buf.length) : 0);

const signedPreKeyOf = (skey: BinaryNode | undefined): SignedPreKey => ({
  id: uint(getBinaryNodeChildBuffer(skey, 'id')),
  value: Buffer.from(getBinaryNodeChildBuffer(skey, 'value') ?? []),
  signature: Buffer.from(getBinaryNodeChildBuffer(skey, 'signature') ?? []),
});

/** Parses the client's prekey upload (`encrypt` set with registration, identity, list, skey). */
export const parsePreKeyUpload = (iq: BinaryNode): PreKeyStore => {
  const preKeys = new Map<number, Buffer>();
  for (const key of getBinaryNodeChildren(getBinaryNodeChild(iq, 'list'), 'key')) {
    preKeys.set(uint(getBinaryNodeChildBuffer(key, 'id')), Buffer.from(getBinaryNodeChildBuffer(key, 'value') ?? []));
  }
  return {
    registrationId: uint(getBinaryNodeChildBuffer(iq, 'registration')),
    keyType: Buffer.from(getBinaryNodeChildBuffer(iq, 'type') ?? [5]),
    identity: Buffer.from(getBinaryNodeChildBuffer(iq, 'identity') ?? []),
    signedPreKey: signedPreKeyOf(getBinaryNodeChild(iq, 'skey')),
    preKeys,
  };
};

const deviceOf = (registry: Registry, ctx: StanzaContext) => (ctx.conn.jid ? registry.device(ctx.conn.jid) : undefined);

/** The companion's own key bundle: count, upload, digest and signed-prekey rotation. */
export const registerPreKeys = (router: IqRouter, registry: Registry): void => {
  router.handle({ xmlns: 'encrypt', type: 'get', child: 'count' }, (_iq, ctx) => {
    const count = deviceOf(registry, ctx)?.keys?.preKeys.size ?? 0;
    return result({ tag: 'count', attrs: { value: String(count) } });
  });
  router.handle({ xmlns: 'encrypt', type: 'set', child: 'registration' }, (iq, ctx) => {
    const device = deviceOf(registry, ctx);
    if (!device) return undefined;
    const upload = parsePreKeyUpload(iq);
    // Uploads add to the prekeys already on the server; identity and signed prekey are replaced.
    device.keys = { ...upload, preKeys: new Map([...(device.keys?.preKeys ?? []), ...upload.preKeys]) };
    device.identityKey = upload.identity;
    return result();
  });
  router.handle({ xmlns: 'encrypt', type: 'get', child: 'digest' }, (_iq, ctx) => {
    const keys = deviceOf(registry, ctx)?.keys;
    // Without a bundle on the server the library expects no digest and uploads again.
    if (!keys) return result();
    return result({
      tag: 'digest',
      attrs: {},
      content: [
        { tag: 'registration', attrs: {}, content: encodeBigEndian(keys.registrationId) },
        { tag: 'type', attrs: {}, content: keys.keyType },
        { tag: 'identity', attrs: {}, content: keys.identity },
        {
          tag: 'skey',
          attrs: {},
          content: [
            { tag: 'id', attrs: {}, content: encodeBigEndian(keys.signedPreKey.id, 3) },
            { tag: 'value', attrs: {}, content: keys.signedPreKey.value },
            { tag: 'signature', attrs: {}, content: keys.signedPreKey.signature },
          ],
        },
        { tag: 'list', attrs: {}, content: [...keys.preKeys.keys()].map((id) => ({ tag: 'id', attrs: {}, content: encodeBigEndian(id, 3) })) },
      ],
    });
  });
  router.handle({ xmlns: 'encrypt', type: 'set', child: 'rotate' }, (iq, ctx) => {
    const keys = deviceOf(registry, ctx)?.keys;
    if (keys) keys.signedPreKey = signedPreKeyOf(getBinaryNodeChild(getBinaryNodeChild(iq, 'rotate'), 'skey'));
    return result();
  });
};
