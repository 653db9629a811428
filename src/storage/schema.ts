import type { Generated } from 'kysely';

/** Row types of every table, as Kysely sees them. JSON columns hold serialized text; booleans are 0/1 integers on every database. */
export interface InstanceTable {
  id: string;
  name: string;
  connectionStatus: string;
  ownerJid: string | null;
  profileName: string | null;
  profilePicUrl: string | null;
  integration: string;
  number: string | null;
  businessId: string | null;
  tokenHash: string;
  tokenEnc: string;
  clientName: string;
  disconnectionReasonCode: number | null;
  disconnectionObject: string | null;
  disconnectionAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SettingTable {
  id: string;
  instanceId: string;
  rejectCall: number;
  msgCall: string;
  groupsIgnore: number;
  alwaysOnline: number;
  readMessages: number;
  readStatus: number;
  syncFullHistory: number;
  wavoipToken: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookTable {
  id: string;
  instanceId: string;
  url: string;
  headers: string | null;
  enabled: number;
  events: string;
  webhookByEvents: number;
  webhookBase64: number;
  /** HMAC signing secret, sealed. */
  secret: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageTable {
  id: string;
  instanceId: string;
  keyId: string;
  remoteJid: string;
  fromMe: number;
  participant: string | null;
  key: string;
  pushName: string | null;
  messageType: string;
  message: string;
  contextInfo: string | null;
  source: string;
  messageTimestamp: number;
  status: string | null;
}

export interface MessageUpdateTable {
  id: string;
  messageId: string;
  instanceId: string;
  keyId: string;
  remoteJid: string;
  fromMe: number;
  participant: string | null;
  status: string;
  createdAt: string;
}

export interface ChatTable {
  id: string;
  instanceId: string;
  remoteJid: string;
  name: string | null;
  unreadMessages: number;
  lastMessage: string | null;
  lastMessageTimestamp: number | null;
  lastInboundAt: number | null;
  /** Phone-side chat state (0/1); added by 007, defaulted by the database. */
  archived: Generated<number>;
  markedUnread: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface ContactTable {
  id: string;
  instanceId: string;
  remoteJid: string;
  pushName: string | null;
  profilePicUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChannelAuthTable {
  instanceId: string;
  data: string;
  updatedAt: string;
}

export interface EventOutboxTable {
  seq: Generated<number>;
  id: string;
  instanceId: string;
  instanceName: string;
  event: string;
  lane: string;
  partition: number;
  /** The transport: webhook, rabbitmq, nats, mqtt, websocket, sqs, pusher, kafka. */
  kind: string;
  /** Where within the transport: a webhook URL, a routing key, a subject, a topic, a queue, a channel. */
  target: string;
  /** Sealed JSON of kind-specific extras (a webhook's custom headers). */
  options: string | null;
  secret: string | null;
  body: string;
  state: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deliveredAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  correlationId: string | null;
}

export interface EventTransportTable {
  id: string;
  instanceId: string;
  kind: string;
  enabled: number;
  events: string;
  settings: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EventAttemptTable {
  seq: Generated<number>;
  outboxSeq: number;
  attempt: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  at: number;
}

export interface OutboxPartitionTable {
  partition: number;
  owner: string | null;
  leaseUntil: number;
}

export interface ChannelKeyTable {
  instanceId: string;
  type: string;
  keyId: string;
  /** Sealed serialized value. */
  value: string;
  updatedAt: string;
}

export interface InstanceCounterTable {
  instanceId: string;
  messages: number;
  contacts: number;
  chats: number;
}

export interface ProxyTable {
  id: string;
  instanceId: string;
  enabled: number;
  host: string;
  port: string;
  protocol: string;
  username: string;
  /** Sealed; '' when there is none. */
  password: string;
  createdAt: string;
  updatedAt: string;
}

export interface TemplateTable {
  id: string;
  instanceId: string;
  templateId: string;
  name: string;
  language: string;
  template: string;
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface LabelTable {
  id: string;
  instanceId: string;
  labelId: string;
  name: string;
  color: number;
  predefinedId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ChatLabelTable {
  instanceId: string;
  remoteJid: string;
  labelId: string;
  createdAt: string;
}

export interface PollVoteTable {
  id: string;
  instanceId: string;
  messageId: string;
  voter: string;
  /** JSON array of the option names chosen; [] = the vote was withdrawn. */
  options: string;
  votedAt: string;
}

export interface MediaTable {
  id: string;
  instanceId: string;
  messageId: string;
  fileName: string;
  type: string;
  mimetype: string;
  size: number;
  storageKey: string;
  createdAt: string;
}

export interface ChannelInboxTable {
  seq: Generated<number>;
  channel: string;
  payload: string;
  attempts: Generated<number>;
  lastError: string | null;
  receivedAt: string;
}

export interface ChatbotTable {
  id: string;
  instanceId: string;
  kind: string;
  enabled: number;
  description: string | null;
  triggerType: string;
  triggerOperator: string | null;
  triggerValue: string | null;
  behaviour: string;
  config: string;
  /** Sealed JSON of the kind's secret fields; '' when none. */
  secrets: string;
  createdAt: string;
  updatedAt: string;
}

export interface ChatbotSettingTable {
  id: string;
  instanceId: string;
  kind: string;
  settings: string;
  createdAt: string;
  updatedAt: string;
}

export interface ChatbotSessionTable {
  id: string;
  instanceId: string;
  botId: string;
  kind: string;
  remoteJid: string;
  pushName: string | null;
  sessionId: string;
  status: string;
  awaitUser: number;
  context: string | null;
  parameters: string | null;
  pending: string | null;
  dueAt: number | string | null;
  createdAt: string;
  updatedAt: string;
}

export interface OpenaiCredsTable {
  id: string;
  instanceId: string;
  name: string;
  /** Sealed. */
  apiKey: string;
  apiKeyHash: string;
  createdAt: string;
  updatedAt: string;
}

export interface Database {
  instances: InstanceTable;
  settings: SettingTable;
  webhooks: WebhookTable;
  messages: MessageTable;
  messageUpdates: MessageUpdateTable;
  chats: ChatTable;
  contacts: ContactTable;
  channelAuth: ChannelAuthTable;
  eventOutbox: EventOutboxTable;
  eventAttempts: EventAttemptTable;
  eventTransports: EventTransportTable;
  outboxPartitions: OutboxPartitionTable;
  channelKeys: ChannelKeyTable;
  instanceCounters: InstanceCounterTable;
  pollVotes: PollVoteTable;
  media: MediaTable;
  labels: LabelTable;
  chatLabels: ChatLabelTable;
  proxies: ProxyTable;
  templates: TemplateTable;
  channelInbox: ChannelInboxTable;
  chatbots: ChatbotTable;
  chatbotSettings: ChatbotSettingTable;
  chatbotSessions: ChatbotSessionTable;
  openaiCreds: OpenaiCredsTable;
}
