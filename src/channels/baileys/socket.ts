import type { Agent } from 'node:https';
import makeWASocket, { makeCacheableSignalKeyStore, type GroupMetadata, type proto, type WABrowserDescription, type WAMessageKey, type WASocket } from 'baileys';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { BaileysAuth } from './authState.js';
import { CACHE_LIMITS, lruStore } from './caches.js';

/** How every Baileys socket of this server is made. */
export interface SocketSettings {
  /** BAILEYS_WEBSOCKET_URL: where the socket connects (the library's WhatsApp Web URL by default). */
  websocketUrl?: string;
  /** [client, browser, version] from CONFIG_SESSION_PHONE_CLIENT / CONFIG_SESSION_PHONE_NAME. */
  browser: WABrowserDescription;
  qrRefreshMs: number;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
}

/** What one instance's socket needs from its channel. */
export interface SocketHooks {
  auth: BaileysAuth;
  logger: Logger;
  syncFullHistory: boolean;
  /** The stored content of a message we sent, for the library to answer a retry receipt. */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  cachedGroupMetadata(jid: string): Promise<GroupMetadata | undefined>;
  /** The instance's proxy (or a custom CA): the WebSocket agent, the upload agent and the download dispatcher. */
  network?: { agent?: Agent; fetchAgent?: Agent; dispatcher?: Dispatcher };
}

/** Hours a retry counter or call offer is worth keeping. */
const HOUR = 3_600_000;

/** The real library's socket with the gateway's auth state, bounded caches and the instance's network settings. */
export function openSocket(settings: SocketSettings, hooks: SocketHooks): WASocket {
  const { auth, logger } = hooks;
  return makeWASocket({
    ...(settings.websocketUrl ? { waWebSocketUrl: settings.websocketUrl } : {}),
    auth: { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, logger, lruStore(CACHE_LIMITS.signalKeys)) },
    logger,
    browser: settings.browser,
    qrTimeout: settings.qrRefreshMs,
    connectTimeoutMs: settings.connectTimeoutMs,
    defaultQueryTimeoutMs: settings.queryTimeoutMs,
    // The gateway announces presence itself (settings.alwaysOnline), and records its own sends.
    markOnlineOnConnect: false,
    emitOwnEvents: false,
    syncFullHistory: hooks.syncFullHistory,
    getMessage: hooks.getMessage,
    cachedGroupMetadata: hooks.cachedGroupMetadata,
    msgRetryCounterCache: lruStore(CACHE_LIMITS.retryCounters, HOUR),
    userDevicesCache: lruStore(CACHE_LIMITS.userDevices, HOUR),
    callOfferCache: lruStore(CACHE_LIMITS.callOffers, HOUR),
    mediaCache: lruStore(CACHE_LIMITS.media, HOUR),
    ...(hooks.network?.agent ? { agent: hooks.network.agent } : {}),
    ...(hooks.network?.fetchAgent ? { fetchAgent: hooks.network.fetchAgent } : {}),
    ...(hooks.network?.dispatcher ? { options: { dispatcher: hooks.network.dispatcher } as RequestInit } : {}),
  });
}
