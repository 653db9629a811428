import { readEventTransports, type EventTransportsConfig } from './events/transports/config.js';

/** Typed configuration read from the environment, with the upstream Evolution API names where they exist. */
export interface Config {
  server: { port: number; host: string; url?: string; bodyLimit: number; name: string };
  cors: { origin: string[] | '*'; methods: string[]; credentials: boolean };
  observability: { otlpEndpoint?: string; serviceName: string; sentryDsn?: string; sentryEnvironment?: string };
  metrics: { enabled: boolean; token?: string; user?: string; password?: string; stuckAfterSeconds: number };
  /** apiKey and encryptionKey are undefined when unset: main resolves them to a generated, persisted secret. */
  auth: { apiKey?: string; exposeTokenInEvents: boolean; encryptionKey?: string };
  database: { provider: 'sqlite' | 'postgresql' | 'mysql'; uri: string; clientName: string; /** SQLite statements on a thread of their own. */ sqliteThread: boolean };
  webhook: {
    global: { enabled: boolean; url?: string; byEvents: boolean; events: Record<string, boolean>; secret?: string };
    /** false = in-memory delivery like upstream (no outbox); for comparison and tests. */
    durable: boolean;
    requestTimeoutMs: number;
    /** The durable worker sends its HTTP requests from one worker thread (false: from the main thread). */
    senderThread: boolean;
    retry: {
      maxAttempts: number;
      initialDelaySeconds: number;
      maxDelaySeconds: number;
      useExponentialBackoff: boolean;
      jitterFactor: number;
      nonRetryableStatusCodes: number[];
      /** Events older than this are dead-lettered instead of retried. */
      maxAgeSeconds: number;
    };
    concurrencyPerDestination: number;
    concurrency: number;
    breaker: { threshold: number; cooldownMs: number; maxCooldownMs: number };
    deliveredRetentionSeconds: number;
    deadRetentionSeconds: number;
    /** How long a delivery process holds an outbox partition without renewing it (renewed every third of it). */
    outboxLeaseMs: number;
  };
  qrcode: { limit: number; refreshMs: number; color: string };
  delInstanceMinutes: number | false;
  sandbox: { enabled: boolean; ackDelayMs: number };
  /** CHATWOOT_ENABLED: the /chatwoot routes work (else 400 "Chatwoot is disabled", as upstream). */
  chatwoot: { enabled: boolean };
  /** The Meta WhatsApp Cloud API channel (integration WHATSAPP-BUSINESS). */
  meta: MetaConfig;
  /** The generic EVOLUTION channel. */
  evolution: { enabled: boolean; inboundAuth: boolean };
  baileys: BaileysConfig;
  /** Meta embedded-signup settings that `POST /verify-creds` hands to the global key's holder. */
  facebook: { appId: string | null; configId: string | null; userToken: string | null };
  /** How /proxy/set tests a proxy: a request through it to `probeUrl` must answer within `probeTimeoutMs`. */
  proxy: { probeUrl: string; probeTimeoutMs: number };
  /** Work accepted from channels and not yet committed (messages + updates): past these, channels are told to hold back. */
  ingest: { maxPendingPerInstance: number; maxPendingTotal: number };
  cache: CacheConfig;
  media: MediaConfig;
  /** Event buses (RabbitMQ, NATS, MQTT, SQS, Kafka, Pusher, WebSocket): upstream's variables, see docs/events.md. */
  events: EventTransportsConfig;
  chatbots: ChatbotConfig;
  logLevel: string;
  version: string;
}

export interface CacheConfig {
  /** CACHE_REDIS_ENABLED=true: entries live in Redis under `<prefix>:` and survive restarts. */
  redis?: { uri: string; prefix: string };
  /** Without Redis: the in-process LRU (CACHE_LOCAL_ENABLED=false turns caching off, as upstream). */
  local: { enabled: boolean; maxEntries: number };
  ttlSeconds: { number: number; missingNumber: number; profilePicture: number; contact: number };
}

export interface MetaConfig {
  enabled: boolean;
  /** WA_BUSINESS_URL + WA_BUSINESS_VERSION: the Graph API base, e.g. https://graph.facebook.com/v20.0. */
  graphUrl: string;
  version: string;
  /** Default template language (WA_BUSINESS_LANGUAGE). */
  language: string;
  /** hub.verify_token of the webhook verification (WA_BUSINESS_TOKEN_WEBHOOK). */
  webhookToken: string;
  /** App secret that signs Meta's webhook posts (X-Hub-Signature-256); instances may override it. */
  appSecret?: string;
  /** Messages per second per phone number. */
  ratePerSecond: number;
  /** Attempts of a Graph call answered 429/5xx (or not answered) before the send fails. */
  maxAttempts: number;
  /** true: media is uploaded to Graph and sent by id; false: sent by link to the media store's signed URL. */
  uploadMedia: boolean;
  requestTimeoutMs: number;
}

/** Chatbot integrations (upstream's <NAME>_ENABLED flags, all false by default; Evolution Bot is always on). */
export interface ChatbotConfig {
  typebot: boolean;
  openai: boolean;
  dify: boolean;
  flowise: boolean;
  n8n: boolean;
  evoai: boolean;
  /** OPENAI_API_KEY_GLOBAL: used when a bot's credentials are missing. */
  openaiGlobalKey?: string;
  /** OPENAI_API_URL: the OpenAI API base (an OpenAI-compatible server, a local fake in tests). */
  openaiApiUrl: string;
  /** CHATBOT_TIMEOUT_MS: how long one call to a bot platform may take. */
  timeoutMs: number;
}

/** The WhatsApp Web channel (Baileys). */
export interface BaileysConfig {
  enabled: boolean;
  /** BAILEYS_WEBSOCKET_URL; undefined: the library's own WhatsApp Web URL. */
  websocketUrl?: string;
  /** CONFIG_SESSION_PHONE_CLIENT / CONFIG_SESSION_PHONE_NAME: how the linked device is named on the phone. */
  phoneClient: string;
  phoneName: string;
  /** Closes in a row after which an instance stops reconnecting. */
  maxFailures: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Socket starts a second when instances resume (start-up, reconnects): spreads 1,000 instances over time. */
  restorePerSecond: number;
  /** A send that does not finish (or that the server does not ack) in this time restarts the socket. */
  sendTimeoutMs: number;
  ackTimeoutMs: number;
  connectTimeoutMs: number;
  /** BAILEYS_EXTRA_CA_FILE: a PEM bundle trusted besides the system roots for media hosts (a TLS-inspecting egress). */
  extraCaFile?: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** Event keys that have a WEBHOOK_EVENTS_<KEY> flag upstream. */
export const GLOBAL_WEBHOOK_EVENT_KEYS = [
  'APPLICATION_STARTUP', 'INSTANCE_CREATE', 'INSTANCE_DELETE', 'QRCODE_UPDATED', 'MESSAGES_SET',
  'MESSAGES_UPSERT', 'MESSAGES_EDITED', 'MESSAGES_UPDATE', 'MESSAGES_DELETE', 'SEND_MESSAGE',
  'SEND_MESSAGE_UPDATE', 'CONTACTS_SET', 'CONTACTS_UPSERT', 'CONTACTS_UPDATE', 'PRESENCE_UPDATE',
  'CHATS_SET', 'CHATS_UPSERT', 'CHATS_UPDATE', 'CHATS_DELETE', 'GROUPS_UPSERT', 'GROUPS_UPDATE',
  'GROUP_PARTICIPANTS_UPDATE', 'CONNECTION_UPDATE', 'LABELS_EDIT', 'LABELS_ASSOCIATION', 'CALL',
  'TYPEBOT_START', 'TYPEBOT_CHANGE_STATUS', 'REMOVE_INSTANCE', 'LOGOUT_INSTANCE', 'STATUS_INSTANCE',
] as const;

export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  str(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v === '' ? fallback : v;
  }

  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.env[name];
    if (v === undefined || v === '') return fallback;
    if (/^(true|1|yes)$/i.test(v)) return true;
    if (/^(false|0|no)$/i.test(v)) return false;
    this.problems.push(`${name} must be true or false (got "${v}")`);
    return fallback;
  }

  int(name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  }

  num(name: string, fallback: number, min: number, max: number): number {
    const v = this.env[name];
    if (v === undefined || v === '') return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${name} must be a number between ${min} and ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const v = this.env[name];
    if (v === undefined || v === '') return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${v}")`);
      return fallback;
    }
    return v as T;
  }

  url(name: string): string | undefined {
    const v = this.optional(name);
    if (v === undefined) return undefined;
    if (!/^https?:\/\/[^\s]+$/i.test(v)) {
      this.problems.push(`${name} must be an http(s) URL (got "${v}")`);
      return undefined;
    }
    return v.replace(/\/+$/, '');
  }
}

const PROVIDER_ALIASES: Record<string, Config['database']['provider']> = {
  sqlite: 'sqlite',
  postgresql: 'postgresql',
  postgres: 'postgresql',
  psql_bouncer: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
};

export function loadConfig(env: Env = process.env): Config {
  const r = new Reader(env);
  const rawProvider = r.str('DATABASE_PROVIDER', 'sqlite').toLowerCase();
  const provider = PROVIDER_ALIASES[rawProvider];
  if (!provider) r.problems.push(`DATABASE_PROVIDER must be sqlite, postgresql or mysql (got "${rawProvider}")`);
  const uri = r.str('DATABASE_CONNECTION_URI', provider === 'sqlite' || !provider ? './data/gateway.db' : '');
  if (provider && provider !== 'sqlite' && !uri) r.problems.push(`DATABASE_CONNECTION_URI is required when DATABASE_PROVIDER=${provider}`);

  const apiKey = r.optional('AUTHENTICATION_API_KEY');
  if (apiKey !== undefined && apiKey.length < 8) r.problems.push('AUTHENTICATION_API_KEY must be at least 8 characters long');
  if (apiKey === 'BQYHJGJHJ') r.problems.push('AUTHENTICATION_API_KEY must not be the public upstream default "BQYHJGJHJ"');

  const events: Record<string, boolean> = {};
  for (const key of GLOBAL_WEBHOOK_EVENT_KEYS) events[key] = r.bool(`WEBHOOK_EVENTS_${key}`, true);

  const delRaw = r.optional('DEL_INSTANCE');
  let delInstanceMinutes: number | false = false;
  if (delRaw !== undefined && !/^false$/i.test(delRaw)) {
    const n = Number(delRaw);
    if (!Number.isInteger(n) || n <= 0) r.problems.push(`DEL_INSTANCE must be false or a positive number of minutes (got "${delRaw}")`);
    else delInstanceMinutes = n;
  }

  const config: Config = {
    server: {
      port: r.int('SERVER_PORT', 8080, 0, 65535),
      host: r.str('SERVER_HOST', '0.0.0.0'),
      url: r.url('SERVER_URL'),
      bodyLimit: r.int('SERVER_BODY_LIMIT_BYTES', 50 * 1024 * 1024, 1024),
      name: r.str('SERVER_NAME', 'evolution'),
    },
    observability: {
      otlpEndpoint: r.url('OTEL_EXPORTER_OTLP_ENDPOINT'),
      serviceName: r.str('OTEL_SERVICE_NAME', 'wa-gateway'),
      sentryDsn: r.url('SENTRY_DSN'),
      sentryEnvironment: r.optional('SENTRY_ENVIRONMENT'),
    },
    metrics: {
      enabled: r.bool('PROMETHEUS_METRICS', true),
      token: r.optional('METRICS_TOKEN'),
      user: r.optional('METRICS_USER'),
      password: r.optional('METRICS_PASSWORD'),
      stuckAfterSeconds: r.int('HEALTH_QUEUE_STUCK_SECONDS', 120, 1),
    },
    cors: {
      origin: parseList(r.str('CORS_ORIGIN', '*')).includes('*') ? '*' : parseList(r.str('CORS_ORIGIN', '*')),
      methods: parseList(r.str('CORS_METHODS', 'POST,GET,PUT,DELETE')),
      credentials: r.bool('CORS_CREDENTIALS', false),
    },
    auth: {
      apiKey,
      exposeTokenInEvents: r.bool('AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES', false),
      encryptionKey: encryptionKeyOf(r) ?? apiKey,
    },
    database: { provider: provider ?? 'sqlite', uri, clientName: r.str('DATABASE_CONNECTION_CLIENT_NAME', 'evolution'), sqliteThread: r.bool('DATABASE_SQLITE_THREAD', false) },
    webhook: {
      global: {
        enabled: r.bool('WEBHOOK_GLOBAL_ENABLED', false),
        url: r.url('WEBHOOK_GLOBAL_URL'),
        byEvents: r.bool('WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS', false),
        events,
        secret: r.optional('WEBHOOK_GLOBAL_SECRET'),
      },
      durable: r.bool('WEBHOOK_DURABLE', true),
      requestTimeoutMs: r.int('WEBHOOK_REQUEST_TIMEOUT_MS', 30000, 100),
      senderThread: r.bool('WEBHOOK_SENDER_THREAD', true),
      retry: {
        maxAttempts: r.int('WEBHOOK_RETRY_MAX_ATTEMPTS', 40, 1, 1000),
        initialDelaySeconds: r.num('WEBHOOK_RETRY_INITIAL_DELAY_SECONDS', 5, 0, 3600),
        maxDelaySeconds: r.num('WEBHOOK_RETRY_MAX_DELAY_SECONDS', 300, 0, 86400),
        useExponentialBackoff: r.bool('WEBHOOK_RETRY_USE_EXPONENTIAL_BACKOFF', true),
        jitterFactor: r.num('WEBHOOK_RETRY_JITTER_FACTOR', 1, 0, 1),
        nonRetryableStatusCodes: parseCodes(r, 'WEBHOOK_RETRY_NON_RETRYABLE_STATUS_CODES', [400, 401, 403, 404, 422]),
        maxAgeSeconds: r.int('WEBHOOK_RETRY_MAX_AGE_SECONDS', 86400, 1),
      },
      concurrencyPerDestination: r.int('WEBHOOK_CONCURRENCY_PER_DESTINATION', 32, 1, 1024),
      concurrency: r.int('WEBHOOK_CONCURRENCY', 256, 1, 10000),
      breaker: {
        threshold: r.int('WEBHOOK_BREAKER_THRESHOLD', 5, 1, 1000),
        cooldownMs: r.int('WEBHOOK_BREAKER_COOLDOWN_MS', 5000, 10),
        maxCooldownMs: r.int('WEBHOOK_BREAKER_MAX_COOLDOWN_MS', 300000, 10),
      },
      deliveredRetentionSeconds: r.int('WEBHOOK_DELIVERED_RETENTION_SECONDS', 3600, 0),
      deadRetentionSeconds: r.int('WEBHOOK_DEAD_RETENTION_SECONDS', 7 * 86400, 0),
      outboxLeaseMs: r.int('WEBHOOK_OUTBOX_LEASE_MS', 15000, 1500, 600000),
    },
    qrcode: {
      limit: r.int('QRCODE_LIMIT', 30, 1, 1000),
      refreshMs: r.int('QRCODE_REFRESH_MS', 20000, 50),
      color: r.str('QRCODE_COLOR', '#198754'),
    },
    delInstanceMinutes,
    sandbox: { enabled: r.bool('SANDBOX_ENABLED', true), ackDelayMs: r.int('SANDBOX_ACK_DELAY_MS', 5, 0, 60000) },
    chatwoot: { enabled: r.bool('CHATWOOT_ENABLED', false) },
    meta: {
      enabled: r.bool('WA_BUSINESS_ENABLED', true),
      graphUrl: r.str('WA_BUSINESS_URL', 'https://graph.facebook.com').replace(/\/+$/, ''),
      version: r.str('WA_BUSINESS_VERSION', 'v20.0'),
      language: r.str('WA_BUSINESS_LANGUAGE', 'en_US'),
      webhookToken: r.str('WA_BUSINESS_TOKEN_WEBHOOK', 'evolution'),
      appSecret: r.optional('WA_BUSINESS_APP_SECRET'),
      ratePerSecond: r.int('WA_BUSINESS_RATE_LIMIT', 80, 1, 10_000),
      maxAttempts: r.int('WA_BUSINESS_MAX_ATTEMPTS', 5, 1, 50),
      uploadMedia: r.bool('WA_BUSINESS_MEDIA_UPLOAD', true),
      requestTimeoutMs: r.int('WA_BUSINESS_TIMEOUT_MS', 20_000, 100, 600_000),
    },
    evolution: { enabled: r.bool('EVOLUTION_CHANNEL_ENABLED', true), inboundAuth: r.bool('EVOLUTION_INBOUND_AUTH', true) },
    baileys: readBaileys(r),
    facebook: { appId: r.optional('FACEBOOK_APP_ID') ?? null, configId: r.optional('FACEBOOK_CONFIG_ID') ?? null, userToken: r.optional('FACEBOOK_USER_TOKEN') ?? null },
    proxy: { probeUrl: r.str('PROXY_PROBE_URL', 'https://icanhazip.com/'), probeTimeoutMs: r.int('PROXY_PROBE_TIMEOUT_MS', 5000, 100, 60000) },
    ingest: { maxPendingPerInstance: r.int('INGEST_MAX_PENDING_PER_INSTANCE', 10_000, 1, 10_000_000), maxPendingTotal: r.int('INGEST_MAX_PENDING_TOTAL', 200_000, 1, 100_000_000) },
    cache: readCache(r),
    media: readMedia(r),
    events: readEventTransports(r, r.str('SERVER_NAME', 'evolution')),
    chatbots: {
      typebot: r.bool('TYPEBOT_ENABLED', false),
      openai: r.bool('OPENAI_ENABLED', false),
      dify: r.bool('DIFY_ENABLED', false),
      flowise: r.bool('FLOWISE_ENABLED', false),
      n8n: r.bool('N8N_ENABLED', false),
      evoai: r.bool('EVOAI_ENABLED', false),
      openaiGlobalKey: r.optional('OPENAI_API_KEY_GLOBAL'),
      openaiApiUrl: r.str('OPENAI_API_URL', 'https://api.openai.com/v1'),
      timeoutMs: r.int('CHATBOT_TIMEOUT_MS', 60_000, 100, 600_000),
    },
    logLevel: parseLogLevel(r),
    version: '2.3.6',
  };
  if (config.webhook.global.enabled && !config.webhook.global.url) r.problems.push('WEBHOOK_GLOBAL_URL is required when WEBHOOK_GLOBAL_ENABLED=true');
  if (r.problems.length) throw new ConfigError(`Invalid configuration:\n  - ${r.problems.join('\n  - ')}`);
  return config;
}

/** ENCRYPTION_KEY seals channel credentials and signal keys: a short or padded key is refused rather than used. */
function encryptionKeyOf(r: Reader): string | undefined {
  const key = r.optional('ENCRYPTION_KEY');
  if (key !== undefined && (key.length < 16 || /\s/.test(key))) r.problems.push('ENCRYPTION_KEY must be at least 16 characters, without spaces');
  return key;
}

function readBaileys(r: Reader): BaileysConfig {
  const websocketUrl = r.optional('BAILEYS_WEBSOCKET_URL');
  if (websocketUrl !== undefined && !/^wss?:\/\/\S+$/i.test(websocketUrl)) r.problems.push(`BAILEYS_WEBSOCKET_URL must be a ws:// or wss:// URL (got "${websocketUrl}")`);
  const extraCaFile = r.optional('BAILEYS_EXTRA_CA_FILE');
  return {
    enabled: r.bool('BAILEYS_ENABLED', true),
    ...(websocketUrl ? { websocketUrl } : {}),
    phoneClient: r.str('CONFIG_SESSION_PHONE_CLIENT', 'Evolution API'),
    phoneName: r.str('CONFIG_SESSION_PHONE_NAME', 'Chrome'),
    maxFailures: r.int('BAILEYS_MAX_FAILURES', 10, 1, 1000),
    reconnectBaseMs: r.int('BAILEYS_RECONNECT_BASE_MS', 1000, 0, 600000),
    reconnectMaxMs: r.int('BAILEYS_RECONNECT_MAX_MS', 60000, 0, 3600000),
    restorePerSecond: r.num('BAILEYS_RESTORE_PER_SECOND', 20, 0.01, 100000),
    sendTimeoutMs: r.int('BAILEYS_SEND_TIMEOUT_MS', 30000, 100, 600000),
    ackTimeoutMs: r.int('BAILEYS_ACK_TIMEOUT_MS', 30000, 100, 600000),
    connectTimeoutMs: r.int('BAILEYS_CONNECT_TIMEOUT_MS', 20000, 100, 600000),
    ...(extraCaFile ? { extraCaFile } : {}),
  };
}

function readCache(r: Reader): CacheConfig {
  const ttl = r.int('CACHE_REDIS_TTL', 604800, 1);
  const uri = r.optional('CACHE_REDIS_URI');
  if (uri !== undefined && !/^rediss?:\/\/\S+$/i.test(uri)) r.problems.push(`CACHE_REDIS_URI must be a redis:// or rediss:// URL (got "${uri}")`);
  const redisEnabled = r.bool('CACHE_REDIS_ENABLED', false);
  if (redisEnabled && uri === undefined) r.problems.push('CACHE_REDIS_URI is required when CACHE_REDIS_ENABLED=true');
  return {
    redis: redisEnabled && uri ? { uri, prefix: r.str('CACHE_REDIS_PREFIX_KEY', 'evolution-cache') } : undefined,
    local: { enabled: r.bool('CACHE_LOCAL_ENABLED', true), maxEntries: r.int('CACHE_LOCAL_MAX_ENTRIES', 50_000, 1) },
    ttlSeconds: {
      number: ttl,
      missingNumber: r.int('CACHE_MISSING_NUMBER_TTL', 900, 1),
      profilePicture: r.int('CACHE_PROFILE_PICTURE_TTL', 3600, 1),
      contact: ttl,
    },
  };
}

export interface MediaConfig {
  /** MEDIA_URL_ALLOW_PRIVATE: media URLs may point at loopback and private ranges (link-local and metadata: never). */
  allowPrivateUrls: boolean;
  maxBytes: number;
  downloadTimeoutMs: number;
  /** Local store directory (used unless S3 is enabled); default: `media/` beside the SQLite file, else ./data/media. */
  dir?: string;
  /** S3_ENABLED=true: media goes to this S3-compatible bucket (AWS S3, MinIO). */
  s3?: { accessKey: string; secretKey: string; bucket: string; endpoint: string; port: number; useSsl: boolean; region: string };
}

function readMedia(r: Reader): MediaConfig {
  const media: MediaConfig = {
    allowPrivateUrls: r.bool('MEDIA_URL_ALLOW_PRIVATE', true),
    maxBytes: r.int('MEDIA_MAX_BYTES', 100 * 1024 * 1024, 1024),
    downloadTimeoutMs: r.int('MEDIA_DOWNLOAD_TIMEOUT_MS', 30_000, 100),
    dir: r.optional('MEDIA_STORE_DIR'),
  };
  if (!r.bool('S3_ENABLED', false)) return media;
  const required = (name: string) => {
    const v = r.optional(name);
    if (v === undefined) r.problems.push(`${name} is required when S3_ENABLED=true`);
    return v ?? '';
  };
  media.s3 = {
    accessKey: required('S3_ACCESS_KEY'),
    secretKey: required('S3_SECRET_KEY'),
    bucket: required('S3_BUCKET'),
    endpoint: required('S3_ENDPOINT'),
    port: r.int('S3_PORT', 9000, 1, 65535),
    useSsl: r.bool('S3_USE_SSL', false),
    region: r.str('S3_REGION', 'us-east-1'),
  };
  return media;
}

function parseList(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

function parseCodes(r: Reader, name: string, fallback: number[]): number[] {
  const raw = r.optional(name);
  if (raw === undefined) return fallback;
  const codes = raw.split(',').map((s) => Number(s.trim()));
  if (codes.some((c) => !Number.isInteger(c) || c < 100 || c > 599)) {
    r.problems.push(`${name} must be a comma-separated list of HTTP status codes (got "${raw}")`);
    return fallback;
  }
  return codes;
}

const PINO_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Accepts a pino level or the upstream comma list (ERROR,WARN,INFO,...), mapped to its most verbose member. */
function parseLogLevel(r: Reader): string {
  const raw = r.str('LOG_LEVEL', 'info').trim();
  if (PINO_LEVELS.includes(raw.toLowerCase())) return raw.toLowerCase();
  const parts = raw.toUpperCase().split(',').map((s) => s.trim()).filter(Boolean);
  const known = ['ERROR', 'WARN', 'DEBUG', 'INFO', 'LOG', 'VERBOSE', 'DARK', 'WEBHOOKS', 'WEBSOCKET'];
  const unknown = parts.filter((p) => !known.includes(p));
  if (unknown.length || !parts.length) {
    r.problems.push(`LOG_LEVEL must be a level (${PINO_LEVELS.join(', ')}) or an upstream list like ERROR,WARN,INFO (got "${raw}")`);
    return 'info';
  }
  if (parts.some((p) => p === 'DEBUG' || p === 'VERBOSE')) return 'debug';
  if (parts.some((p) => p === 'INFO' || p === 'LOG' || p === 'WEBHOOKS' || p === 'WEBSOCKET' || p === 'DARK')) return 'info';
  return parts.includes('WARN') ? 'warn' : 'error';
}
