import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration from the environment', () => {
  it('has embedded defaults: SQLite under ./data, port 8080, sandbox on', () => {
    const c = loadConfig({});
    expect(c.server.port).toBe(8080);
    expect(c.database).toMatchObject({ provider: 'sqlite', uri: './data/gateway.db', clientName: 'evolution', sqliteThread: false });
    expect(loadConfig({ DATABASE_SQLITE_THREAD: 'true' }).database.sqliteThread).toBe(true);
    expect(c.auth.apiKey).toBeUndefined();
    expect(c.qrcode.limit).toBe(30);
    expect(c.delInstanceMinutes).toBe(false);
    expect(c.webhook.retry).toMatchObject({ maxAttempts: 40, initialDelaySeconds: 5, maxDelaySeconds: 300, nonRetryableStatusCodes: [400, 401, 403, 404, 422] });
  });

  it('reads upstream names and aliases', () => {
    const c = loadConfig({ SERVER_PORT: '9000', DATABASE_PROVIDER: 'postgresql', DATABASE_CONNECTION_URI: 'postgres://x@h/db', DEL_INSTANCE: '5', LOG_LEVEL: 'ERROR,WARN,DEBUG,INFO', WEBHOOK_EVENTS_MESSAGES_UPSERT: 'false', QRCODE_LIMIT: '10' });
    expect(c.server.port).toBe(9000);
    expect(c.database.provider).toBe('postgresql');
    expect(c.delInstanceMinutes).toBe(5);
    expect(c.logLevel).toBe('debug');
    expect(c.webhook.global.events.MESSAGES_UPSERT).toBe(false);
    expect(c.webhook.global.events.SEND_MESSAGE).toBe(true);
    expect(loadConfig({ DATABASE_PROVIDER: 'mariadb', DATABASE_CONNECTION_URI: 'mysql://r@h/d' }).database.provider).toBe('mysql');
  });

  it('names every invalid variable in one error', () => {
    const bad = { SERVER_PORT: 'eighty', DATABASE_PROVIDER: 'oracle', WEBHOOK_GLOBAL_ENABLED: 'maybe', AUTHENTICATION_API_KEY: 'BQYHJGJHJ', QRCODE_LIMIT: '-1', LOG_LEVEL: 'LOUD' };
    let error: unknown;
    try {
      loadConfig(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    for (const name of Object.keys(bad)) expect((error as Error).message).toContain(name);
  });

  it('requires a URI for server databases and a URL for the enabled global webhook', () => {
    expect(() => loadConfig({ DATABASE_PROVIDER: 'mysql' })).toThrow(/DATABASE_CONNECTION_URI/);
    expect(() => loadConfig({ WEBHOOK_GLOBAL_ENABLED: 'true' })).toThrow(/WEBHOOK_GLOBAL_URL/);
    expect(() => loadConfig({ WEBHOOK_GLOBAL_URL: 'not a url' })).toThrow(/WEBHOOK_GLOBAL_URL/);
  });
});
