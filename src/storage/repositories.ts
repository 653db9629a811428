import type { Db } from './db.js';
import { SecretBox } from '../security/secrets.js';
import { InstanceRepository } from './instanceRepository.js';
import { SettingsRepository } from './settingsRepository.js';
import { WebhookRepository } from './webhookRepository.js';
import { MessageRepository } from './messageRepository.js';
import { ChatRepository } from './chatRepository.js';
import { ContactRepository } from './contactRepository.js';
import { AuthStateRepository } from './authStateRepository.js';
import { CounterRepository } from './counterRepository.js';
import { ChatWrites } from './chatWrites.js';
import { OutboxRepository } from './outboxRepository.js';
import { ChannelKeyRepository } from './keyStoreRepository.js';
import { LabelRepository } from './labelRepository.js';
import { ChatStateRepository } from './chatStateRepository.js';
import { MessageUpdateRepository } from './messageUpdateRepository.js';
import { ProxyRepository } from './proxyRepository.js';
import { TemplateRepository } from './templateRepository.js';
import { PollVoteRepository } from './pollVoteRepository.js';
import { MessageAmendments } from './messageAmendments.js';
import { MediaRepository } from './mediaRepository.js';
import { EventTransportRepository } from './eventTransportRepository.js';
import { InboxRepository } from './inboxRepository.js';
import { ChatbotRepository } from './chatbotRepository.js';
import { OpenaiCredsRepository } from './openaiCredsRepository.js';

/** All repositories over one database. */
export class Repositories {
  readonly instances: InstanceRepository;
  readonly settings: SettingsRepository;
  readonly webhooks: WebhookRepository;
  readonly messages: MessageRepository;
  readonly chats: ChatRepository;
  readonly contacts: ContactRepository;
  readonly authState: AuthStateRepository;
  readonly outbox: OutboxRepository;
  readonly channelKeys: ChannelKeyRepository;
  readonly counters: CounterRepository;
  readonly chatWrites: ChatWrites;
  readonly labels: LabelRepository;
  readonly chatState: ChatStateRepository;
  readonly messageUpdates: MessageUpdateRepository;
  readonly proxies: ProxyRepository;
  readonly templates: TemplateRepository;
  readonly pollVotes: PollVoteRepository;
  readonly amendments: MessageAmendments;
  readonly media: MediaRepository;
  readonly eventTransports: EventTransportRepository;
  readonly inbox: InboxRepository;
  readonly chatbots: ChatbotRepository;
  readonly openaiCreds: OpenaiCredsRepository;

  constructor(readonly db: Db, encryptionKey: string) {
    const box = new SecretBox(encryptionKey);
    this.instances = new InstanceRepository(db, box);
    this.settings = new SettingsRepository(db);
    this.webhooks = new WebhookRepository(db, box);
    this.eventTransports = new EventTransportRepository(db, box);
    this.messages = new MessageRepository(db);
    this.chats = new ChatRepository(db);
    this.contacts = new ContactRepository(db);
    this.authState = new AuthStateRepository(db, box);
    this.outbox = new OutboxRepository(db);
    this.channelKeys = new ChannelKeyRepository(db, box);
    this.counters = new CounterRepository(db);
    this.chatWrites = new ChatWrites(db);
    this.labels = new LabelRepository(db);
    this.chatState = new ChatStateRepository(db);
    this.messageUpdates = new MessageUpdateRepository(db);
    this.proxies = new ProxyRepository(db, box);
    this.templates = new TemplateRepository(db);
    this.pollVotes = new PollVoteRepository(db);
    this.amendments = new MessageAmendments(db);
    this.media = new MediaRepository(db);
    this.inbox = new InboxRepository(db);
    this.chatbots = new ChatbotRepository(db, box);
    this.openaiCreds = new OpenaiCredsRepository(db, box);
  }

  transaction<T>(fn: (tx: import('./instanceRepository.js').Executor) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(fn);
  }
}
