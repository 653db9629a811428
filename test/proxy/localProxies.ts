import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
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

/**
 * A minimal SOCKS4 proxy (CONNECT only, IPv4 destinations) on 127.0.0.1, counting the tunnels it opened; with `userId`,
 * a request naming another user is rejected as SOCKS4 does (91).
 */
export class Socks4Proxy {
  carried = 0;
  refused = 0;
  private server!: NetServer;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly userId?: string) {}

  async start(): Promise<this> {
    this.server = createNetServer((client) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.once('data', (head: Buffer) => {
        const end = head.indexOf(0, 8);
        if (head[0] !== 4 || head[1] !== 1 || end < 0) return client.destroy();
        const port = head.readUInt16BE(2);
        const host = `${head[4]}.${head[5]}.${head[6]}.${head[7]}`;
        const user = head.subarray(8, end).toString();
        const reply = (code: number) => client.write(Buffer.from([0, code, 0, 0, 0, 0, 0, 0]));
        if (this.userId !== undefined && user !== this.userId) {
          this.refused += 1;
          reply(91);
          return client.end();
        }
        const upstream = connect(port, host, () => {
          this.carried += 1;
          reply(90);
          const rest = head.subarray(end + 1);
          if (rest.length) upstream.write(rest);
          client.pipe(upstream).pipe(client);
        });
        this.sockets.add(upstream);
        upstream.on('close', () => this.sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
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
