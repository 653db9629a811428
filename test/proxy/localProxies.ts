import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { createProxy, type ProxyServer } from 'proxy';
// @ts-ignore: socksv5 has no type declarations
import socks from 'socksv5';

/** socksv5's server: a net.Server with an authentication method. */
type SocksServer = NetServer & { useAuth(method: unknown): void };

/** A local HTTP server that answers every request with its path and counts them; it closes each connection, so every
 * request through a proxy needs a tunnel of its own and the proxy's count shows it. */
export class ProbeTarget {
  hits: string[] = [];
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(`seen ${req.url}`);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A real HTTP proxy (CONNECT tunnels and plain forwarding) on 127.0.0.1 that counts what it carried. */
export class HttpProxy {
  /** Tunnels (CONNECT) and forwarded requests that passed authentication. */
  carried = 0;
  refused = 0;
  private server!: ProxyServer;
  port = 0;

  constructor(private readonly credentials?: { username: string; password: string }) {}

  async start(): Promise<this> {
    this.server = createProxy(createServer());
    this.server.authenticate = (req) => {
      const ok = !this.credentials || req.headers['proxy-authorization'] === `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      if (ok) this.carried += 1;
      else this.refused += 1;
      return ok;
    };
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A real SOCKS5 proxy on 127.0.0.1, with or without username/password, counting the connections it opened. */
export class Socks5Proxy {
  carried = 0;
  refusedAuth = 0;
  private server!: SocksServer;
  port = 0;

  constructor(private readonly credentials?: { username: string; password: string }) {}

  async start(): Promise<this> {
    this.server = socks.createServer((_info: unknown, accept: () => void) => {
      this.carried += 1;
      accept();
    });
    if (this.credentials) {
      const { username, password } = this.credentials;
      this.server.useAuth(
        socks.auth.UserPassword((user: string, pass: string, cb: (ok: boolean) => void) => {
          const ok = user === username && pass === password;
          if (!ok) this.refusedAuth += 1;
          cb(ok);
        }),
      );
    } else this.server.useAuth(socks.auth.None());
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
