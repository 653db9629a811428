import { join } from 'node:path';
import { startSimulator } from '../../sim/waweb/index.js';
import { allOpen, API_KEY, rssMb, settle, startGateway } from './gateway.js';
import { provisionLinked } from './provision.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

export interface CapacityResult {
  integration: string;
  instances: number;
  /** Server start to every instance open, ms. */
  restoreMs: number;
  /** Server start to its first answer (database, routes, instances loaded; sockets still opening), ms. */
  startMs: number;
  rssMb: number;
  heapMb: number;
}

/**
 * `instances` already-linked instances of `integration` in the database; the gateway starts on them and restores them
 * all. Measures the time until every one is open and the process memory once they are (the simulator's share included).
 */
export async function capacity(integration: 'WHATSAPP-BAILEYS' | 'SANDBOX', instances: number, restorePerSecond: number): Promise<CapacityResult> {
  const sim = await startSimulator();
  const dir = mkdtempSync(join(tmpdir(), 'bench-baileys-cap-'));
  if (instances > 0) await provisionLinked(sim, join(dir, 'gateway.db'), API_KEY, integration, instances, 'cap');
  await settle();
  const since = performance.now();
  const server = await startGateway({ BAILEYS_WEBSOCKET_URL: sim.url, BAILEYS_RESTORE_PER_SECOND: String(restorePerSecond), WEBHOOK_GLOBAL_ENABLED: 'false' }, dir);
  const startMs = Math.round(performance.now() - since);
  const restoreMs = instances > 0 ? await allOpen(server, instances, since) : 0;
  await settle();
  const result = { integration, instances, restoreMs: Math.round(restoreMs), startMs, rssMb: Math.round(rssMb()), heapMb: Math.round(process.memoryUsage().heapUsed / 1024 / 1024) };
  await server.stop();
  await sim.stop();
  return result;
}
