import { randomBytes } from 'node:crypto';
import type { CallOps } from '../channel.js';
import { jidUser } from '../../domain/jid.js';
import { messageKeyId, nowSeconds } from '../../domain/ids.js';
import type { SandboxChannel } from './channel.js';

export type CallStatus = 'offer' | 'ringing' | 'timeout' | 'reject' | 'accept' | 'terminate';

/** A call as Baileys reports it in its `call` event. */
export interface CallEvent extends Record<string, unknown> {
  chatId: string;
  from: string;
  id: string;
  date: string;
  offline: boolean;
  status: CallStatus;
  isVideo: boolean;
  isGroup: boolean;
}

export interface Ring {
  id: string;
  isVideo: boolean;
  /** Who is calling: a sandbox phone's number or a simulated contact's. */
  from: string;
}

/** What the callee's phone did: rang, or rejected (the instance's rejectCall), and the msgCall text it sent back. */
export interface RingOutcome {
  /** blocked: the phone blocked the caller, so nothing rang. */
  status: 'ringing' | 'reject' | 'blocked';
  message?: { keyId: string; text: string };
}

/** Calls ring other sandbox phones; incoming calls honour the instance settings rejectCall and msgCall as upstream does. */
export class SandboxCalls implements CallOps {
  /** Calls this phone placed that still ring: hung up after their duration, or ended by a reject. */
  private readonly ringing = new Map<string, NodeJS.Timeout>();

  constructor(private readonly phone: SandboxChannel) {}

  private get myJid() {
    return `${this.phone.number}@s.whatsapp.net`;
  }

  async offer(jid: string, isVideo: boolean, durationSeconds: number): Promise<{ id: string }> {
    this.phone.assertOpen();
    const id = randomBytes(16).toString('hex').toUpperCase();
    const { network } = this.phone.opts;
    const callee = network.phone(jidUser(jid));
    // A blocked caller's call never rings; a simulated contact does not pick up either way.
    if (!callee?.calls || network.directory.isBlocked(callee.number, this.phone.number)) return { id };
    const timer = setTimeout(() => {
      this.ringing.delete(id);
      network.phone(jidUser(jid))?.calls?.ended(id, this.myJid, isVideo);
    }, durationSeconds * 1000);
    timer.unref();
    this.ringing.set(id, timer);
    void callee.calls.ring({ id, isVideo, from: this.phone.number }).catch(() => undefined);
    return { id };
  }

  /** Someone calls this phone. */
  async ring(call: Ring): Promise<RingOutcome> {
    this.phone.assertOpen();
    if (this.phone.opts.network.directory.isBlocked(this.phone.number, call.from)) return { status: 'blocked' };
    const from = `${call.from}@s.whatsapp.net`;
    await this.report(call.id, from, call.isVideo, 'offer');
    const { rejectCall, msgCall } = this.phone.ctx.settings;
    let outcome: RingOutcome = { status: 'ringing' };
    if (rejectCall) {
      outcome = { status: 'reject' };
      this.phone.opts.network.phone(call.from)?.calls?.rejected(call.id, this.myJid, call.isVideo);
    }
    if (msgCall?.trim()) outcome.message = await this.replyWith(from, msgCall);
    return outcome;
  }

  /** The callee rejected a call this phone placed. */
  rejected(id: string, by: string, isVideo: boolean): void {
    const timer = this.ringing.get(id);
    if (!timer) return;
    clearTimeout(timer);
    this.ringing.delete(id);
    void this.report(id, by, isVideo, 'reject').catch(() => undefined);
  }

  /** The caller hung up. */
  ended(id: string, from: string, isVideo: boolean): void {
    if (this.phone.state === 'open') void this.report(id, from, isVideo, 'terminate').catch(() => undefined);
  }

  private report(id: string, from: string, isVideo: boolean, status: CallStatus): Promise<void> {
    const call: CallEvent = { chatId: from, from, id, date: new Date().toISOString(), offline: false, status, isVideo, isGroup: false };
    return this.phone.ctx.listener.deliver([{ type: 'call', call }]);
  }

  /** msgCall: a text to the caller, sent and recorded as upstream does (messages.upsert of our own message). */
  private async replyWith(to: string, text: string): Promise<{ keyId: string; text: string }> {
    const sent = await this.phone.send({ remoteJid: to, content: { kind: 'text', text }, options: { keyId: messageKeyId() } });
    await this.phone.ctx.listener.deliver([{ type: 'messages', mode: 'live', messages: [{ key: sent.key, pushName: this.phone.profileName, message: sent.message, messageTimestamp: sent.messageTimestamp ?? nowSeconds(), source: 'web' }] }]);
    return { keyId: sent.key.id, text };
  }
}
