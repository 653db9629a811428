import { Curve, proto, WA_CERT_DETAILS, type KeyPair } from 'baileys';

/** Serial of the test root; the library compares the intermediate's `issuerSerial` with it. */
const TEST_ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;

/** One test root per process: every simulator and `patchWaCertificates()` agree on it. */
const root: KeyPair = Curve.generateKeyPair();

const YEAR_S = 365 * 24 * 3600;

/**
 * The chain the server sends in its ServerHello payload: an intermediate signed by the test
 * root, and a leaf for the server's static noise key signed by the intermediate.
 */
export const makeCertChain = (serverStaticPublic: Uint8Array): Uint8Array => {
  const intermediate = Curve.generateKeyPair();
  const now = Math.floor(Date.now() / 1000);
  const intermediateDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: INTERMEDIATE_SERIAL,
    issuerSerial: TEST_ROOT_SERIAL,
    key: intermediate.public,
    notBefore: now - 60,
    notAfter: now + YEAR_S,
  }).finish();
  const leafDetails = proto.CertChain.NoiseCertificate.Details.encode({
    serial: LEAF_SERIAL,
    issuerSerial: INTERMEDIATE_SERIAL,
    key: serverStaticPublic,
    notBefore: now - 60,
    notAfter: now + YEAR_S,
  }).finish();
  return proto.CertChain.encode({
    intermediate: { details: intermediateDetails, signature: Curve.sign(root.private, intermediateDetails) },
    leaf: { details: leafDetails, signature: Curve.sign(intermediate.private, leafDetails) },
  }).finish();
};

/**
 * Test-side only: makes the library trust the test root, by patching its exported (mutable)
 * `WA_CERT_DETAILS`, which the noise handler reads at handshake time. Idempotent.
 */
export const patchWaCertificates = (): void => {
  WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(root.public);
  WA_CERT_DETAILS.SERIAL = TEST_ROOT_SERIAL;
};
