import { api, pool, startServerProcess } from './process.js';

export interface CapacityResult {
  instances: number;
  baselineRssMb: number;
  idleKbPerInstance: number;
  connectedKbPerInstance: number;
  startupMsWithInstances: number;
  startupMsEmpty: number;
}

const settle = () => new Promise((r) => setTimeout(r, 1500));

/**
 * Memory per idle and per connected sandbox instance, and start-up time with that many instances to restore,
 * each measured on a fresh server process over a fresh database.
 */
export async function capacity(count: number, db: { provider: string; uri: string }): Promise<CapacityResult> {
  const env = { DATABASE_PROVIDER: db.provider, DATABASE_CONNECTION_URI: db.uri };
  {
    let server = await startServerProcess(env);
    const startupMsEmpty = server.startupMs;
    await settle();
    const baseline = server.rssBytes();
    const names = Array.from({ length: count }, (_, i) => `cap${i}`);
    await pool(names, 16, async (name) => {
      const res = await api(server.url, 'POST', '/instance/create', { instanceName: name, integration: 'SANDBOX' });
      if (res.status !== 201) throw new Error(`create ${name}: ${res.status}`);
    });
    await settle();
    const idle = server.rssBytes();
    await pool(names, 16, async (name, i) => {
      await api(server.url, 'GET', `/instance/connect/${name}`);
      const res = await api(server.url, 'POST', `/sandbox/scan/${name}`, { number: `55117${String(i).padStart(8, '0')}` });
      if (res.status !== 200) throw new Error(`scan ${name}: ${res.status}`);
    });
    await settle();
    const connected = server.rssBytes();
    await server.stop();

    server = await startServerProcess(env);
    const state = await api(server.url, 'GET', `/instance/connectionState/cap${count - 1}`);
    if (state.body?.instance?.state !== 'open') throw new Error('instances did not come back open after restart');
    const startupMsWithInstances = server.startupMs;
    await server.stop();
    return {
      instances: count,
      baselineRssMb: Math.round(baseline / 2 ** 20),
      idleKbPerInstance: Math.round((idle - baseline) / count / 1024),
      connectedKbPerInstance: Math.round((connected - baseline) / count / 1024),
      startupMsWithInstances: Math.round(startupMsWithInstances),
      startupMsEmpty: Math.round(startupMsEmpty),
    };
  }
}
