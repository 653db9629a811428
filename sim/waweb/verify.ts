import { verifySignature } from 'libsignal/src/curve.js';

/**
 * A signature check that really rejects: the library's `Curve.verify` only catches throws,
 * while libsignal's `verifySignature` reports a bad signature by returning false.
 */
export const verifyStrict = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  const key = publicKey.length === 33 ? publicKey : Buffer.concat([Buffer.from([5]), publicKey]);
  try {
    return verifySignature(key, message, signature) === true;
  } catch {
    return false;
  }
};
