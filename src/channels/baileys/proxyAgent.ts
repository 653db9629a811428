import type { Agent } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SocksProxyAgent } from 'socks-proxy-agent';
import type { ProxySettings } from '../../storage/proxyRepository.js';

/** An http(s) Agent through the instance's proxy, for the library's WebSocket (ws) and media uploads (https). */
export function proxyAgent(p: Pick<ProxySettings, 'host' | 'port' | 'protocol' | 'username' | 'password'>, ca?: string[]): Agent {
  const host = p.host.includes(':') && !p.host.startsWith('[') ? `[${p.host}]` : p.host;
  const auth = p.username ? `${encodeURIComponent(p.username)}:${encodeURIComponent(p.password ?? '')}@` : '';
  const protocol = p.protocol === 'socks4' ? 'socks4a' : p.protocol === 'socks5' ? 'socks5h' : p.protocol;
  const uri = `${protocol}://${auth}${host}:${p.port}`;
  if (p.protocol.startsWith('socks')) return new SocksProxyAgent(uri, ca ? { tls: { ca } } as ConstructorParameters<typeof SocksProxyAgent>[1] : undefined) as unknown as Agent;
  return new HttpsProxyAgent(uri, ca ? { ca } : {}) as unknown as Agent;
}
