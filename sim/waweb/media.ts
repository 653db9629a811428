import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A CA made for one test run, and a server certificate it signed for 127.0.0.1. */
export interface TestCa {
  ca: string;
  key: string;
  cert: string;
}

/** Generates the CA and the 127.0.0.1 certificate with the `openssl` CLI (node:crypto cannot issue X.509). */
export const makeTestCa = (): TestCa => {
  const dir = mkdtempSync(join(tmpdir(), 'waweb-ca-'));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  try {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=waweb simulator test CA', '-keyout', f('ca.key'), '-out', f('ca.pem'));
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
    writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
    ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.pem'));
    return { ca: readFileSync(f('ca.pem'), 'utf8'), key: readFileSync(f('server.key'), 'utf8'), cert: readFileSync(f('server.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const b64url = (buf: Buffer): string => buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * The media host: companions upload encrypted media (`POST /mms/<type>/<enc sha256>?auth=&token=`)
 * and download it by direct path. It keeps ciphertext only, as the real one does.
 */
export class MediaServer {
  readonly auth = randomBytes(16).toString('base64');
  private readonly blobs = new Map<string, Buffer>();
  private server: Server | undefined;
  host = '';
  /** Uploads refused (bad auth, hash mismatch): a test expects none. */
  readonly rejected: string[] = [];

  constructor(private readonly tls: TestCa) {}

  async start(): Promise<this> {
    const server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://media');
      if (req.method === 'GET') {
        const blob = this.blobs.get(url.pathname);
        res.writeHead(blob ? 200 : 404).end(blob);
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const token = url.pathname.split('/').pop() ?? '';
        const why = url.searchParams.get('auth') !== this.auth ? 'auth' : b64url(createHash('sha256').update(body).digest()) !== token ? 'hash' : '';
        if (why) {
          this.rejected.push(`${url.pathname}: ${why}`);
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: why }));
          return;
        }
        const directPath = this.store(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://${this.host}${directPath}`, direct_path: directPath }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('unexpected media server address');
    this.host = `127.0.0.1:${address.port}`;
    this.server = server;
    return this;
  }

  /** Keeps an encrypted file and returns its direct path. */
  store(enc: Buffer): string {
    const directPath = `/v/t62.7118-24/${randomBytes(12).toString('hex')}.enc`;
    this.blobs.set(directPath, enc);
    return directPath;
  }

  get(directPath: string): Buffer | undefined {
    return this.blobs.get(directPath);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
