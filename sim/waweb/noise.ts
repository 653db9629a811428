import { aesDecryptGCM, aesEncryptGCM, Curve, hkdf, NOISE_MODE, NOISE_WA_HEADER, proto, sha256, type KeyPair } from 'baileys';
import { makeCertChain } from './certs.js';

const ivFor = (counter: number): Buffer => {
  const iv = Buffer.alloc(12);
  iv.writeUInt32BE(counter, 8);
  return iv;
};

/** The post-handshake cipher pair: one key and counter each way. */
export class Transport {
  private readCounter = 0;
  private writeCounter = 0;
  constructor(
    private readonly encKey: Uint8Array,
    private readonly decKey: Uint8Array,
  ) {}
  encrypt(plain: Uint8Array): Buffer {
    return aesEncryptGCM(plain, this.encKey, ivFor(this.writeCounter++), Buffer.alloc(0));
  }
  decrypt(cipher: Uint8Array): Buffer {
    return aesDecryptGCM(cipher, this.decKey, ivFor(this.readCounter++), Buffer.alloc(0));
  }
}

/** What the handshake learnt about the client. */
export interface HandshakeResult {
  transport: Transport;
  clientStaticPublic: Buffer;
  payload: proto.ClientPayload;
}

/**
 * Responder side of Noise_XX_25519_AESGCM_SHA256 with the WA header as prologue:
 * the mirror image of the library's initiator (`makeNoiseHandler`), step by step.
 */
export class NoiseResponder {
  private hash: Buffer;
  private salt: Buffer;
  private key: Buffer;
  private counter = 0;
  private readonly ephemeral: KeyPair = Curve.generateKeyPair();
  private clientEphemeral: Uint8Array | undefined;

  constructor(private readonly staticKey: KeyPair) {
    const mode = Buffer.from(NOISE_MODE);
    this.hash = mode.byteLength === 32 ? mode : sha256(mode);
    this.salt = this.hash;
    this.key = this.hash;
    this.mixHash(NOISE_WA_HEADER);
  }

  private mixHash(data: Uint8Array): void {
    this.hash = sha256(Buffer.concat([this.hash, data]));
  }

  private mixKey(dh: Uint8Array): void {
    const out = Buffer.from(hkdf(Buffer.from(dh), 64, { salt: this.salt, info: '' }));
    this.salt = out.subarray(0, 32);
    this.key = out.subarray(32);
    this.counter = 0;
  }

  private encrypt(plain: Uint8Array): Buffer {
    const out = aesEncryptGCM(plain, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(out);
    return out;
  }

  private decrypt(cipher: Uint8Array): Buffer {
    const out = aesDecryptGCM(cipher, this.key, ivFor(this.counter++), this.hash);
    this.mixHash(cipher);
    return out;
  }

  /** Takes the ClientHello frame, returns the ServerHello frame. */
  serverHello(frame: Uint8Array): Uint8Array {
    const hello = proto.HandshakeMessage.decode(frame).clientHello;
    if (!hello?.ephemeral) throw new Error('expected clientHello with an ephemeral key');
    this.clientEphemeral = hello.ephemeral;
    this.mixHash(hello.ephemeral);
    this.mixHash(this.ephemeral.public);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, hello.ephemeral));
    const staticEnc = this.encrypt(this.staticKey.public);
    this.mixKey(Curve.sharedKey(this.staticKey.private, hello.ephemeral));
    const payload = this.encrypt(makeCertChain(this.staticKey.public));
    return proto.HandshakeMessage.encode({
      serverHello: { ephemeral: this.ephemeral.public, static: staticEnc, payload },
    }).finish();
  }

  /** Takes the ClientFinish frame; the handshake is then complete. */
  clientFinish(frame: Uint8Array): HandshakeResult {
    const finish = proto.HandshakeMessage.decode(frame).clientFinish;
    if (!finish?.static || !finish.payload || !this.clientEphemeral) throw new Error('expected clientFinish');
    const clientStaticPublic = this.decrypt(finish.static);
    this.mixKey(Curve.sharedKey(this.ephemeral.private, clientStaticPublic));
    const payload = proto.ClientPayload.decode(this.decrypt(finish.payload));
    const keys = Buffer.from(hkdf(new Uint8Array(0), 64, { salt: this.salt, info: '' }));
    // The initiator encrypts with the first half; we decrypt with it.
    const transport = new Transport(keys.subarray(32), keys.subarray(0, 32));
    return { transport, clientStaticPublic, payload };
  }
}
