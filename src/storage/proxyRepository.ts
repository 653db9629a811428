import { sql } from 'kysely';
import type { Db } from './db.js';
import type { ProxyTable } from './schema.js';
import { bit, flag } from './json.js';
import { nowIso, rowId } from '../domain/ids.js';
import type { Executor } from './instanceRepository.js';
import type { SecretBox } from '../security/secrets.js';

export type ProxyProtocol = 'http' | 'https' | 'socks4' | 'socks5';

export interface ProxySettings {
  enabled: boolean;
  host: string;
  port: string;
  protocol: string;
  username: string;
  password: string;
}

/** The Proxy row (upstream's columns), with the password opened. */
export interface ProxyRow extends ProxySettings {
  id: string;
  instanceId: string;
  createdAt: string;
  updatedAt: string;
}

/** One proxy per instance; the password is sealed at rest. */
export class ProxyRepository {
  constructor(private readonly db: Db, private readonly box: SecretBox) {}

  async upsert(instanceId: string, p: ProxySettings, tx: Executor = this.db.kysely): Promise<ProxyRow> {
    const now = nowIso();
    const values = { enabled: bit(p.enabled), host: p.host, port: p.port, protocol: p.protocol, username: p.username, password: p.password ? this.box.seal(p.password) : '', updatedAt: now };
    const insert = tx.insertInto('proxies').values({ ...values, id: rowId(), instanceId, createdAt: now });
    const refs = ['enabled', 'host', 'port', 'protocol', 'username', 'password', 'updatedAt'] as const;
    await (this.db.provider === 'mysql'
      ? insert.onDuplicateKeyUpdate(Object.fromEntries(refs.map((c) => [c, sql`values(${sql.ref(c)})`])))
      : insert.onConflict((oc) => oc.column('instanceId').doUpdateSet((eb) => Object.fromEntries(refs.map((c) => [c, eb.ref(`excluded.${c}`)]))))
    ).execute();
    return (await this.find(instanceId, tx))!;
  }

  async find(instanceId: string, tx: Executor = this.db.kysely): Promise<ProxyRow | undefined> {
    const row = await tx.selectFrom('proxies').selectAll().where('instanceId', '=', instanceId).executeTakeFirst();
    return row && this.toDomain(row);
  }

  /** The rows of these instances, by instance id, in one query. */
  async findMany(instanceIds: string[]): Promise<Map<string, ProxyRow>> {
    const out = new Map<string, ProxyRow>();
    if (!instanceIds.length) return out;
    const rows = await this.db.kysely.selectFrom('proxies').selectAll().where('instanceId', 'in', instanceIds).execute();
    for (const r of rows) out.set(r.instanceId, this.toDomain(r));
    return out;
  }

  private toDomain(r: ProxyTable): ProxyRow {
    return {
      id: r.id,
      enabled: flag(r.enabled),
      host: r.host,
      port: r.port,
      protocol: r.protocol,
      username: r.username,
      password: r.password ? this.box.open(r.password) : '',
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      instanceId: r.instanceId,
    };
  }
}
