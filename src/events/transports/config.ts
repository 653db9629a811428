import { EVENT_NAMES, eventKey } from '../../domain/events.js';
import type { RetryPolicy } from '../outbox/transport.js';

/** What config.ts's reader offers (kept structural so that this file does not depend on its class). */
export interface EnvReader {
  readonly problems: string[];
  str(name: string, fallback: string): string;
  optional(name: string): string | undefined;
  bool(name: string, fallback: boolean): boolean;
  int(name: string, fallback: number, min?: number, max?: number): number;
  num(name: string, fallback: number, min: number, max: number): number;
}

/** Upstream's two switches of a transport, and its global event flags (`<T>_EVENTS_<KEY>`, false by default). */
export interface BusSwitches {
  /** `<T>_ENABLED`: off, the transport is absent (its set/find routes answer an empty body). */
  enabled: boolean;
  /** `<T>_GLOBAL_ENABLED`: every instance's events, selected by the global flags. */
  global: boolean;
  /** Event keys (UPPER_SNAKE) the global mode sends. */
  events: ReadonlySet<string>;
}

export interface EventTransportsConfig {
  rabbitmq: BusSwitches & { uri: string; exchange: string; prefix?: string; frameMax: number };
  nats: BusSwitches & { uri: string; prefix?: string; jetstream: boolean };
  mqtt: BusSwitches & { uri: string; prefix?: string; qos: 0 | 1 | 2; clientId?: string };
  sqs: BusSwitches & { accessKeyId?: string; secretAccessKey?: string; accountId?: string; region: string; endpoint?: string; forceSingleQueue: boolean; prefixName: string; maxPayloadSize: number; serverName: string };
  kafka: BusSwitches & { clientId: string; brokers: string[]; connectionTimeoutMs: number; requestTimeoutMs: number; topicPrefix: string; numPartitions: number; replicationFactor: number; autoCreateTopics: boolean; sasl?: { mechanism: string; username: string; password: string }; ssl?: { rejectUnauthorized: boolean; ca?: string; key?: string; cert?: string } };
  pusher: BusSwitches & { app?: PusherApp; /** PUSHER_HOST: every app's API host (a compatible service, tests). */ host?: string };
  websocket: { enabled: boolean; global: boolean; allowedHosts: string[] };
  /** Retries, breaker and limits of the broker transports (webhooks keep WEBHOOK_*). */
  delivery: { retry: RetryPolicy; breaker: { threshold: number; cooldownMs: number; maxCooldownMs: number }; batchSize: number; concurrencyPerDestination: number; sendTimeoutMs: number };
}

export interface PusherApp {
  appId: string;
  key: string;
  secret: string;
  cluster: string;
  useTLS: boolean;
}

/** The event keys a global flag can name; groups.update is read from both spellings. */
const FLAG_KEYS = [...new Set([...EVENT_NAMES.map(eventKey), 'GROUP_UPDATE'])];

function flags(r: EnvReader, prefix: string): Set<string> {
  const on = new Set<string>();
  for (const key of FLAG_KEYS) if (r.bool(`${prefix}${key}`, false)) on.add(key === 'GROUP_UPDATE' ? 'GROUPS_UPDATE' : key);
  return on;
}

function switches(r: EnvReader, t: string, flagPrefix = `${t}_EVENTS_`): BusSwitches {
  const enabled = r.bool(`${t}_ENABLED`, false);
  return { enabled, global: enabled && r.bool(`${t}_GLOBAL_ENABLED`, false), events: flags(r, flagPrefix) };
}

function uri(r: EnvReader, name: string, schemes: RegExp, fallback: string, required: boolean): string {
  const v = r.optional(name);
  if (v === undefined) {
    if (required) r.problems.push(`${name} is required when ${name.split('_')[0]}_ENABLED=true`);
    return fallback;
  }
  if (!schemes.test(v)) r.problems.push(`${name} must be a ${schemes.source.replace(/[\\^()?:]/g, '')} URI (got a value that is not)`);
  return v;
}

const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);

export function readEventTransports(r: EnvReader, serverName: string): EventTransportsConfig {
  const rabbit = switches(r, 'RABBITMQ');
  const nats = switches(r, 'NATS');
  const mqtt = switches(r, 'MQTT');
  const sqs = switches(r, 'SQS', 'SQS_GLOBAL_');
  const kafka = switches(r, 'KAFKA');
  const pusher = switches(r, 'PUSHER');
  const pusherGlobal = pusher.global
    ? { appId: r.str('PUSHER_GLOBAL_APP_ID', ''), key: r.str('PUSHER_GLOBAL_KEY', ''), secret: r.str('PUSHER_GLOBAL_SECRET', ''), cluster: r.str('PUSHER_GLOBAL_CLUSTER', ''), useTLS: r.bool('PUSHER_GLOBAL_USE_TLS', true) }
    : undefined;
  if (pusherGlobal && (!pusherGlobal.appId || !pusherGlobal.key || !pusherGlobal.secret || !pusherGlobal.cluster)) r.problems.push('PUSHER_GLOBAL_APP_ID, PUSHER_GLOBAL_KEY, PUSHER_GLOBAL_SECRET and PUSHER_GLOBAL_CLUSTER are required when PUSHER_GLOBAL_ENABLED=true');
  const saslOn = r.bool('KAFKA_SASL_ENABLED', false);
  const sslOn = r.bool('KAFKA_SSL_ENABLED', false);
  return {
    rabbitmq: { ...rabbit, uri: uri(r, 'RABBITMQ_URI', /^amqps?:\/\//i, 'amqp://localhost:5672', rabbit.enabled), exchange: r.str('RABBITMQ_EXCHANGE_NAME', 'evolution_exchange'), prefix: r.optional('RABBITMQ_PREFIX_KEY'), frameMax: r.int('RABBITMQ_FRAME_MAX', 8192, 4096, 1 << 20) },
    nats: { ...nats, uri: uri(r, 'NATS_URI', /^(nats|tls|wss?):\/\//i, 'nats://localhost:4222', nats.enabled), prefix: r.optional('NATS_PREFIX_KEY'), jetstream: r.bool('NATS_JETSTREAM_ENABLED', false) },
    mqtt: { ...mqtt, uri: uri(r, 'MQTT_URI', /^(mqtts?|wss?|tcp|ssl):\/\//i, 'mqtt://localhost:1883', mqtt.enabled), prefix: r.optional('MQTT_PREFIX_KEY'), qos: r.int('MQTT_QOS', 1, 0, 2) as 0 | 1 | 2, clientId: r.optional('MQTT_CLIENT_ID') },
    sqs: {
      ...sqs,
      accessKeyId: r.optional('SQS_ACCESS_KEY_ID'),
      secretAccessKey: r.optional('SQS_SECRET_ACCESS_KEY'),
      accountId: r.optional('SQS_ACCOUNT_ID'),
      region: r.str('SQS_REGION', 'us-east-1'),
      endpoint: r.optional('SQS_ENDPOINT'),
      forceSingleQueue: r.bool('SQS_GLOBAL_FORCE_SINGLE_QUEUE', false),
      prefixName: r.str('SQS_GLOBAL_PREFIX_NAME', 'global'),
      maxPayloadSize: r.int('SQS_MAX_PAYLOAD_SIZE', 1_048_576, 1024, 1_048_576),
      serverName,
    },
    kafka: {
      ...kafka,
      clientId: r.str('KAFKA_CLIENT_ID', 'evolution-api'),
      brokers: list(r.str('KAFKA_BROKERS', 'localhost:9092')),
      connectionTimeoutMs: r.int('KAFKA_CONNECTION_TIMEOUT', 3000, 100),
      requestTimeoutMs: r.int('KAFKA_REQUEST_TIMEOUT', 30000, 100),
      topicPrefix: r.str('KAFKA_TOPIC_PREFIX', 'evolution'),
      numPartitions: r.int('KAFKA_NUM_PARTITIONS', 1, 1, 10000),
      replicationFactor: r.int('KAFKA_REPLICATION_FACTOR', 1, 1, 100),
      autoCreateTopics: r.bool('KAFKA_AUTO_CREATE_TOPICS', false),
      sasl: saslOn ? { mechanism: r.str('KAFKA_SASL_MECHANISM', 'plain').toLowerCase(), username: r.str('KAFKA_SASL_USERNAME', ''), password: r.str('KAFKA_SASL_PASSWORD', '') } : undefined,
      ssl: sslOn ? { rejectUnauthorized: r.optional('KAFKA_SSL_REJECT_UNAUTHORIZED') !== 'false', ca: r.optional('KAFKA_SSL_CA'), key: r.optional('KAFKA_SSL_KEY'), cert: r.optional('KAFKA_SSL_CERT') } : undefined,
    },
    pusher: { ...pusher, app: pusherGlobal, host: r.optional('PUSHER_HOST') },
    websocket: { enabled: r.bool('WEBSOCKET_ENABLED', false), global: r.bool('WEBSOCKET_GLOBAL_EVENTS', false), allowedHosts: list(r.str('WEBSOCKET_ALLOWED_HOSTS', '127.0.0.1,::1,::ffff:127.0.0.1')) },
    delivery: {
      retry: {
        maxAttempts: r.int('EVENTS_RETRY_MAX_ATTEMPTS', 1000, 1, 100_000),
        initialDelaySeconds: r.num('EVENTS_RETRY_INITIAL_DELAY_SECONDS', 0.5, 0, 3600),
        maxDelaySeconds: r.num('EVENTS_RETRY_MAX_DELAY_SECONDS', 30, 0, 86400),
        useExponentialBackoff: true,
        jitterFactor: 0.2,
        maxAgeSeconds: r.int('EVENTS_RETRY_MAX_AGE_SECONDS', 86400, 1),
      },
      breaker: { threshold: r.int('EVENTS_BREAKER_THRESHOLD', 3, 1, 1000), cooldownMs: r.int('EVENTS_BREAKER_COOLDOWN_MS', 500, 10), maxCooldownMs: r.int('EVENTS_BREAKER_MAX_COOLDOWN_MS', 10_000, 10) },
      batchSize: r.int('EVENTS_BATCH_SIZE', 200, 1, 10_000),
      concurrencyPerDestination: r.int('EVENTS_CONCURRENCY_PER_DESTINATION', 4, 1, 1024),
      sendTimeoutMs: r.int('EVENTS_SEND_TIMEOUT_MS', 10_000, 100),
    },
  };
}
