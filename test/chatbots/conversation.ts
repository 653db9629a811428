import { connectedSandbox, startTestServer, waitFor, type TestServer } from '../helpers/server.js';

/** A sandbox instance with a bot, and a contact writing to it; what the bot sent is read back from storage. */
export class Conversation {
  token = '';
  constructor(readonly server: TestServer, readonly instance: string, readonly number: string) {}

  static async open(env: Record<string, string> = {}, instance = 'bots', number = '5511977771001'): Promise<Conversation> {
    const server = await startTestServer(env);
    const c = new Conversation(server, instance, number);
    c.token = await connectedSandbox(server, instance, number);
    return c;
  }

  /** The contact `from` writes (201 once stored). */
  async say(from: string, text: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await this.server.call('POST', `/sandbox/inbound/${this.instance}`, { from, text, ...extra });
    if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.key.id as string;
  }

  /** A message of any WhatsApp type from the contact. */
  async send(from: string, message: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
    const res = await this.server.call('POST', `/sandbox/inbound/${this.instance}`, { from, message, ...extra });
    if (res.status !== 201) throw new Error(`inbound: ${res.status} ${JSON.stringify(res.body)}`);
  }

  api(method: string, path: string, body?: unknown) {
    return this.server.call(method, path.replace(':i', this.instance), body, this.token);
  }

  /** What the instance sent to the contact, oldest first. */
  async sent(to: string): Promise<any[]> {
    const res = await this.api('POST', '/chat/findMessages/:i', { where: { key: { remoteJid: `${to}@s.whatsapp.net`, fromMe: true } }, offset: 100 });
    return [...(res.body.messages?.records ?? [])].sort((a, b) => a.messageTimestamp - b.messageTimestamp || String(a.id).localeCompare(String(b.id)));
  }

  async sentTexts(to: string): Promise<string[]> {
    return (await this.sent(to)).map((m) => m.message?.conversation ?? m.message?.extendedTextMessage?.text ?? `[${m.messageType}]`);
  }

  /** Waits until the instance sent `count` messages to the contact; returns their texts. */
  async waitSent(to: string, count: number, timeoutMs = 8000): Promise<string[]> {
    return waitFor(async () => {
      const texts = await this.sentTexts(to);
      return texts.length >= count ? texts : undefined;
    }, timeoutMs, `${count} bot answers to ${to}`);
  }

  /** Resolves when the engine has nothing running or queued for the chat. */
  async settled(to: string): Promise<void> {
    const live = this.server.gateway.registry.get(this.instance)!;
    await this.server.gateway.instances.idle(live);
    await this.server.gateway.chatbots.engine.idle(live.id, `${to}@s.whatsapp.net`);
  }

  async createBot(kind: string, body: Record<string, unknown>): Promise<any> {
    const res = await this.api('POST', `/${kind}/create/:i`, { enabled: true, debounceTime: 0, delayMessage: 0, expire: 0, listeningFromMe: false, stopBotFromMe: true, keepOpen: false, keywordFinish: '#stop', unknownMessage: 'Sorry?', ...body });
    if (res.status !== 201) throw new Error(`create ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  stop(keepData = false) {
    return this.server.stop({ keepData });
  }
}

export { startTestServer, waitFor };
