import { dirname, join } from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from './config.js';
import { createGateway, type Gateway, type ResolvedConfig } from './gateway.js';
import { buildApp, type App } from './http/app.js';
import { loadOrCreateSecret } from './security/secrets.js';
import { startTracing } from './observability/tracing.js';
import { flushErrorReporting, startErrorReporting } from './observability/errorReporting.js';

export interface RunningServer {
  app: App;
  gateway: Gateway;
  url: string;
  stop(): Promise<void>;
}

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: ['req.headers.apikey', 'req.headers.authorization', 'headers.apikey'], censor: '[redacted]' } });
}

/** Fills in secrets that were not configured with generated ones kept next to the SQLite data (never a known default). */
export function resolveSecrets(config: Config, logger: Logger): ResolvedConfig {
  const dataDir = config.database.provider === 'sqlite' && config.database.uri !== ':memory:' ? dirname(config.database.uri.replace(/^(sqlite|file):(\/\/)?/, '')) : './data';
  let apiKey = config.auth.apiKey;
  if (!apiKey) {
    const file = join(dataDir, 'api-key');
    const secret = loadOrCreateSecret(file);
    apiKey = secret.value;
    logger.warn({ file }, secret.created ? 'AUTHENTICATION_API_KEY is not set: generated a global API key and saved it in this file' : 'AUTHENTICATION_API_KEY is not set: using the generated key saved in this file');
  }
  const encryptionKey = config.auth.encryptionKey ?? apiKey;
  return { ...config, auth: { ...config.auth, apiKey, encryptionKey } };
}

/** Starts gateway and HTTP server; `stop` closes them in order (stop accepting, finish requests, close channels, drain events, close DB). */
export async function startServer(config: Config, logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const resolved = resolveSecrets(config, logger);
  const tracing = startTracing(config.observability, config.version);
  startErrorReporting(config.observability, config.version);
  const gateway = await createGateway(resolved, logger);
  const app = await buildApp(gateway);
  gateway.websocket?.attach(app.server);
  const url = await app.listen({ port: config.server.port, host: config.server.host });
  for (const d of gateway.drivers.values()) d.ready?.();
  let stopping: Promise<void> | undefined;
  return {
    app,
    gateway,
    url,
    stop: () => {
      stopping ??= (async () => {
        await gateway.websocket?.close();
        await app.close();
        await gateway.close();
        await tracing?.shutdown();
        await flushErrorReporting();
      })();
      return stopping;
    },
  };
}

export { loadConfig };
