import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Agent as UndiciAgent, type Dispatcher } from 'undici';
import type { ProxySettings } from '../../storage/proxyRepository.js';
import { proxyDispatcher } from '../../domain/proxies.js';
import { proxyAgent } from './proxyAgent.js';

/** How one instance's socket reaches WhatsApp: the WebSocket agent, the media upload agent, the download dispatcher. */
export interface Network {
  agent?: HttpsAgent;
  fetchAgent?: HttpsAgent;
  dispatcher?: Dispatcher;
}

/**
 * The instance's proxy (HTTP or SOCKS) carries the WebSocket, media uploads and downloads; an extra CA (PEM) is trusted
 * besides the system roots for the media hosts. Neither: the library's defaults.
 */
export function networkFor(proxy: Pick<ProxySettings, 'host' | 'port' | 'protocol' | 'username' | 'password'> | undefined, extraCa: string | undefined): Network | undefined {
  if (!proxy && !extraCa) return undefined;
  const ca = extraCa ? [...rootCertificates, extraCa] : undefined;
  if (proxy) {
    const agent = proxyAgent(proxy, ca);
    // The proxy may sit on a private network: the operator configured it for this instance.
    return { agent, fetchAgent: agent, dispatcher: proxyDispatcher(proxy, { allowPrivate: true }) };
  }
  return { fetchAgent: new HttpsAgent({ ca, keepAlive: true }), dispatcher: new UndiciAgent({ connect: { ca } }) };
}
