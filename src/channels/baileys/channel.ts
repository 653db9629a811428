import { Boom } from '@hapi/boom';
import { jidNormalizedUser, type AuthenticationCreds, type BaileysEventMap, type ConnectionState as BaileysConnection, type WASocket } from 'baileys';
import type { Logger } from 'pino';
import type { ConnectionState, Settings } from '../../domain/types.js';
import type { Channel, ChannelContext, ConnectOptions, QrCode } from '../channel.js';
import type { Outbound, SentMessage } from '../content.js';
import type { ChannelEvent } from '../events.js';
import { ChannelError } from '../errors.js';
import { renderQrDataUrl } from '../qr.js';
import { databaseAuthState, type BaileysAuth } from './authState.js';
import { InboundMapper } from './inbound.js';
import { PollVoteReader } from './pollVotes.js';
import { LidMap } from './lidMap.js';
import { mediaOps, numberOps, presenceOps, receiptOps } from './operations.js';
import { groupOps } from './groups.js';
import { chatOps, labelOps, privacyOps, profileOps } from './account.js';
import { businessOps } from './business.js';
import { messageToJson } from './protoJson.js';
import { reconnectAction, type ReconnectPolicy } from './reconnect.js';
import { openSocket } from './socket.js';
import { sendThrough, SendStalled } from './sending.js';
import { CACHE_LIMITS } from './caches.js';
import { EventPump } from './pump.js';
import { GroupCache } from './groupCache.js';
import type { BaileysRuntime } from './runtime.js';
import type { Network } from './network.js';

/**
 * One instance on WhatsApp Web through the real Baileys library: QR or pairing-code login, the library's events mapped
 * to channel events, sends, and the reconnect policy by disconnect reason.
 */
export class BaileysChannel implements Channel {
  private _state: ConnectionState = 'close';
  private sock: WASocket | undefined;
  private auth: BaileysAuth | undefined;
  private qr: QrCode | null = null;
  private qrCount = 0;
  private pairing: { number: string; code: string | null } | undefined;
  private qrWaiters: Array<(qr: QrCode | null) => void> = [];
  /** Closes in a row without an open in between. */
  private failures = 0;
  /** Each socket's events count only while it is the current one. */
  private generation = 0;
  private pending: (() => void) | undefined;
  private readonly lids = new LidMap(CACHE_LIMITS.lids);
  private readonly groupCache = new GroupCache(CACHE_LIMITS.groups);
  private readonly pump: EventPump;
  private readonly mapper: InboundMapper;
  private readonly log: Logger;
  /** Sends waiting for the server's ack, by message id: a timer restarts a stalled socket. */
  private readonly awaitingAck = new Map<string, { timer: NodeJS.Timeout; remoteJid: string }>();

  readonly presence = presenceOps(() => this.openSocket());
  readonly receipts = receiptOps(() => this.openSocket());
  readonly numbers = numberOps(() => this.openSocket());
  readonly profile = profileOps(() => this.openSocket(), (jid) => this.runtime.contactName(this.ctx.instanceId, jid));
  readonly privacy = privacyOps(() => this.openSocket());
  readonly chats = chatOps(() => this.openSocket());
  readonly labels = labelOps(() => this.openSocket());
  readonly business = businessOps(() => this.openSocket());
  readonly groups = groupOps(() => this.openSocket(), this.lids, this.groupCache);
  readonly media = mediaOps(() => this.net?.dispatcher);
  /** The instance's proxy and CA as agents, read when a socket starts. */
  private net: Network | undefined;

  constructor(readonly ctx: ChannelContext, private readonly runtime: BaileysRuntime) {
    this.log = runtime.logger.child({ instance: ctx.instanceName });
    this.pump = new EventPump(ctx.listener, this.log);
    this.mapper = new InboundMapper(this.lids, (f) => {
      runtime.metrics?.decryptFailures.inc({ channel: 'WHATSAPP-BAILEYS', reason: decryptReason(f.reason) });
      this.log.warn({ key: f.key, reason: f.reason }, 'a message could not be decrypted; the library asked the sender to retry');
    }, new PollVoteReader({
      poll: (keyId) => runtime.storedMessage(ctx.instanceId, keyId),
      me: () => [this.sock?.user?.id, this.sock?.user?.lid].filter((j): j is string => !!j).map(jidNormalizedUser),
    }, (pollId, reason) => this.log.warn({ pollId, reason }, 'a poll vote was dropped')));
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The library's socket while one runs (tests drive the adapter through its event emitter). */
  get socket(): WASocket | undefined {
    return this.sock;
  }

  /** Connection counters for metrics and tests. */
  get stats() {
    return { failures: this.failures, lids: this.lids.size, groups: this.groupCache.size };
  }

  async connect(options: ConnectOptions = {}): Promise<QrCode | null> {
    if (this._state === 'open') return null;
    if (this.registered()) {
      if (this._state === 'close') this.begin(true);
      return null;
    }
    if (this._state === 'connecting' && this.qr && !options.number) return this.qr;
    this.stopSocket();
    this.qrCount = 0;
    this.failures = 0;
    this.pairing = options.number ? { number: options.number.replace(/\D/g, ''), code: null } : undefined;
    const first = new Promise<QrCode | null>((resolve) => this.qrWaiters.push(resolve));
    this.begin(false);
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), this.runtime.settings.connectTimeoutMs).unref());
    return Promise.race([first, timeout]);
  }

  currentQr(): QrCode | null {
    return this._state === 'connecting' ? this.qr : null;
  }

  async logout(): Promise<void> {
    const sock = this.sock;
    this.stopSocket();
    if (sock && this.registered()) await sock.logout().catch((err) => this.log.warn({ err: (err as Error).message }, 'logout: the server was not told'));
    await this.forgetCredentials();
    this._state = 'close';
  }

  async close(): Promise<void> {
    this.stopSocket();
    this._state = 'close';
    await this.pump.idle();
  }

  async send(out: Outbound): Promise<SentMessage> {
    const sock = this.openSocket();
    if (out.remoteJid.endsWith('@g.us')) await this.groupCache.ensure(out.remoteJid, (jid) => sock.groupMetadata(jid));
    const { sendTimeoutMs } = this.runtime.settings;
    let sent;
    try {
      sent = await sendThrough(sock, out, (source) => this.runtime.mediaBytes(source), sendTimeoutMs);
    } catch (err) {
      if (err instanceof SendStalled) {
        this.restartStalled('send');
        throw new ChannelError(`The message was not sent within ${sendTimeoutMs / 1000} s: the connection stalled and is being restarted. Send it again.`);
      }
      throw err;
    }
    this.expectAck(sent.key.id!, out.remoteJid);
    return { key: { remoteJid: out.remoteJid, fromMe: true, id: sent.key.id! }, messageTimestamp: Number(sent.messageTimestamp), message: messageToJson(sent.message ?? {}) };
  }

  settingsChanged(settings: Settings): void {
    this.ctx.settings = settings;
  }

  // --- the socket's life ---

  /** Starts a socket: at once for a login, paced (spread over time) when it resumes saved credentials. */
  private begin(paced: boolean): void {
    this._state = 'connecting';
    this.report({ type: 'connection', update: { state: 'connecting', statusReason: 200 } });
    const start = () => {
      this.pending = undefined;
      this.start().catch((err) => this.onStartFailure(err));
    };
    if (paced) this.pending = this.runtime.pacer.schedule(start);
    else start();
  }

  private async start(): Promise<void> {
    const generation = ++this.generation;
    this.auth ??= await databaseAuthState(this.ctx.keys, this.ctx.credentials as AuthenticationCreds | undefined);
    this.net = await this.runtime.network(this.ctx.instanceId);
    if (generation !== this.generation) return;
    const sock = openSocket(this.runtime.settings, {
      auth: this.auth,
      logger: this.runtime.libraryLogger(this.ctx.instanceName),
      syncFullHistory: this.ctx.settings.syncFullHistory,
      getMessage: async (key) => this.runtime.storedMessage(this.ctx.instanceId, key.id ?? ''),
      cachedGroupMetadata: async (jid) => this.groupCache.get(jid),
      ...(this.net ? { network: this.net } : {}),
    });
    this.sock = sock;
    this.lids.store = sock.signalRepository.lidMapping;
    sock.ws.on('CB:ack,class:message', (node: { attrs: { id?: string; error?: string } }) => {
      if (generation === this.generation && node.attrs.id && !node.attrs.error) this.acked(node.attrs.id);
    });
    sock.ev.process(async (events) => {
      if (generation !== this.generation) return;
      await this.onEvents(events, sock);
    });
  }

  private onStartFailure(err: unknown): void {
    this.log.error({ err: (err as Error).message }, 'the socket could not start');
    this.onClose(500 === (err as Boom).output?.statusCode ? 500 : 428);
  }

  private async onEvents(events: Partial<BaileysEventMap>, sock: WASocket): Promise<void> {
    if (events['creds.update']) await this.saveCreds();
    const connection = events['connection.update'];
    if (connection) await this.onConnection(connection, sock);
    this.groupCache.observe(events);
    if (events.call && this.ctx.settings.rejectCall) this.rejectCalls(events.call, sock);
    const mapped = await this.mapper.map(events);
    if (mapped.length) this.pump.push(mapped);
  }

  private async onConnection(u: Partial<BaileysConnection>, sock: WASocket): Promise<void> {
    if (u.qr) await this.onQr(u.qr, sock);
    if (u.connection === 'open') await this.onOpen(sock);
    if (u.connection === 'close') this.onClose(((u.lastDisconnect?.error as Boom | undefined)?.output?.statusCode) ?? 428);
  }

  private async onQr(code: string, sock: WASocket): Promise<void> {
    this.qrCount++;
    if (this.qrCount > this.runtime.settings.qrLimit) {
      this.stopSocket();
      this._state = 'close';
      this.qr = null;
      this.report({ type: 'qr', qr: { limitReached: true } }, { type: 'connection', update: { state: 'refused', statusReason: 428 } });
      this.resolveQr(null);
      return;
    }
    if (this.pairing && !this.pairing.code) {
      this.pairing.code = await sock.requestPairingCode(this.pairing.number).catch((err) => {
        this.log.warn({ err: (err as Error).message }, 'no pairing code: the QR stays the way to log in');
        return null;
      });
    }
    this.qr = { pairingCode: this.pairing?.code ?? null, code, base64: await renderQrDataUrl(code, this.runtime.settings.qrColor), count: this.qrCount };
    this.report({ type: 'qr', qr: this.qr });
    this.resolveQr(this.qr);
  }

  private async onOpen(sock: WASocket): Promise<void> {
    this.failures = 0;
    this.qr = null;
    this.pairing = undefined;
    this.qrCount = 0;
    this._state = 'open';
    await this.saveCreds();
    const wuid = jidNormalizedUser(sock.user?.id);
    const lid = sock.user?.lid ? jidNormalizedUser(sock.user.lid) : undefined;
    this.lids.learn(lid, wuid);
    const profileName = sock.user?.name ?? sock.user?.notify ?? this.auth?.state.creds.me?.name ?? null;
    const picture = await Promise.race([sock.profilePictureUrl(wuid, 'image').catch(() => undefined), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5_000).unref())]);
    this.report({ type: 'connection', update: { state: 'open', statusReason: 200, wuid, profileName, profilePictureUrl: picture ?? null } });
  }

  /** The socket closed by itself (we invalidate the generation before closing it on purpose). */
  private onClose(reason: number): void {
    this.sock = undefined;
    this.generation++;
    this.clearAcks();
    if (!this.registered()) return this.onLoginClosed(reason);
    const action = reconnectAction(reason, ++this.failures, this.runtime.policy);
    this.log.info({ reason, failures: this.failures, action: action.type }, 'the connection closed');
    switch (action.type) {
      case 'loggedOut':
        this._state = 'close';
        void this.forgetCredentials().then(() => this.report({ type: 'connection', update: { state: 'close', statusReason: reason, loggedOut: true } }));
        return;
      case 'newLogin':
        // The keys are unusable: a new login with a new QR, from scratch.
        void this.forgetCredentials().then(() => {
          this.qrCount = 0;
          this._state = 'connecting';
          this.report({ type: 'connection', update: { state: 'connecting', statusReason: reason } });
          this.start().catch((err) => this.onStartFailure(err));
        });
        return;
      case 'stayClosed':
        this._state = 'close';
        this.report({ type: 'connection', update: { state: 'close', statusReason: reason } });
        return;
      case 'failed':
        this._state = 'close';
        this.log.error({ reason, failures: this.failures - 1 }, 'the connection failed too many times in a row; it stays closed until /instance/connect');
        this.failures = 0;
        this.report({ type: 'connection', update: { state: 'close', statusReason: reason } });
        return;
      case 'reconnect': {
        this._state = 'connecting';
        this.report({ type: 'connection', update: { state: 'connecting', statusReason: reason } });
        const timer = setTimeout(() => {
          this.pending = undefined;
          this.start().catch((err) => this.onStartFailure(err));
        }, action.delayMs);
        timer.unref();
        this.pending = () => clearTimeout(timer);
      }
    }
  }

  /** Closed before any login: new QR references (the server's ran out) until QRCODE_LIMIT, else closed. */
  private onLoginClosed(reason: number): void {
    if (this._state !== 'connecting' || ++this.failures > this.runtime.policy.maxFailures) {
      this._state = 'close';
      this.resolveQr(null);
      this.report({ type: 'connection', update: { state: 'close', statusReason: reason } });
      return;
    }
    const timer = setTimeout(() => {
      this.pending = undefined;
      this.start().catch((err) => this.onStartFailure(err));
    }, reason === 408 ? 0 : this.runtime.policy.baseDelayMs);
    timer.unref();
    this.pending = () => clearTimeout(timer);
  }

  /** Ends the current socket without reacting to its close (shutdown, logout, a new login). */
  private stopSocket(): void {
    this.pending?.();
    this.pending = undefined;
    this.generation++;
    this.clearAcks();
    const sock = this.sock;
    this.sock = undefined;
    sock?.end(undefined);
  }

  /** A send or an ack stalled while the socket looked open: restart the socket with the saved credentials (no QR). */
  private restartStalled(what: string): void {
    const sock = this.sock;
    if (!sock) return;
    this.log.warn({ what }, 'the connection stalled; restarting it');
    this.runtime.metrics?.reconnects.inc({ reason: 'stalled', channel: 'WHATSAPP-BAILEYS' });
    sock.end(new Boom('The connection stalled', { statusCode: 408 }));
  }

  private expectAck(id: string, remoteJid: string): void {
    const timer = setTimeout(() => {
      this.awaitingAck.delete(id);
      this.restartStalled('ack');
    }, this.runtime.settings.ackTimeoutMs);
    timer.unref();
    this.awaitingAck.set(id, { timer, remoteJid });
  }

  /** The server took the message (its ack stanza): the message is SERVER_ACK. */
  private acked(id: string): void {
    const waiting = this.awaitingAck.get(id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.awaitingAck.delete(id);
    this.report({ type: 'message.updates', updates: [{ type: 'ack', key: { remoteJid: waiting.remoteJid, fromMe: true, id }, status: 'SERVER_ACK', at: Math.floor(Date.now() / 1000) }] });
  }

  private clearAcks(): void {
    for (const w of this.awaitingAck.values()) clearTimeout(w.timer);
    this.awaitingAck.clear();
  }

  private rejectCalls(calls: NonNullable<BaileysEventMap['call']>, sock: WASocket): void {
    for (const call of calls) {
      if (call.status !== 'offer') continue;
      sock.rejectCall(call.id, call.from).catch((err) => this.log.warn({ err: (err as Error).message }, 'rejecting a call failed'));
      const text = this.ctx.settings.msgCall;
      if (text) sock.sendMessage(call.from, { text }).catch((err) => this.log.warn({ err: (err as Error).message }, 'the call message was not sent'));
    }
  }

  private registered(): boolean {
    const creds = (this.auth?.state.creds ?? this.ctx.credentials) as AuthenticationCreds | undefined;
    return !!creds?.me?.id;
  }

  /** Credentials are written once the account is linked: an unlinked login leaves nothing to restore. */
  private async saveCreds(): Promise<void> {
    if (!this.auth?.state.creds.me?.id) return;
    await this.auth.saveCreds().catch((err) => this.log.error({ err: (err as Error).message }, 'the credentials could not be saved'));
  }

  private async forgetCredentials(): Promise<void> {
    this.auth = undefined;
    this.ctx.credentials = undefined;
    await this.ctx.keys.clear().catch((err) => this.log.error({ err: (err as Error).message }, 'the credentials could not be cleared'));
  }

  private resolveQr(qr: QrCode | null): void {
    const waiting = this.qrWaiters;
    this.qrWaiters = [];
    for (const resolve of waiting) resolve(qr);
  }

  private openSocket(): WASocket {
    if (this._state !== 'open' || !this.sock) throw new ChannelError(`The "${this.ctx.instanceName}" instance is not connected`, 'NOT_CONNECTED');
    return this.sock;
  }

  private report(...events: ChannelEvent[]): void {
    this.pump.push(events);
  }
}

/** Metric label: the library's decryption errors by family, not by message. */
function decryptReason(reason: string): string {
  if (/bad mac/i.test(reason)) return 'bad_mac';
  if (/counter/i.test(reason)) return 'message_counter';
  if (/no session|no matching sessions/i.test(reason)) return 'no_session';
  if (/sender ?key/i.test(reason)) return 'no_sender_key';
  return 'other';
}
