/**
 * The WhatsApp Web channel on the simulator (`npm run bench:baileys`): each part in a fresh child process.
 *   inbound   contacts flooding one instance: through the gateway to a webhook vs the library alone (floor)
 *   rss       RSS per connected instance with 100 instances: WHATSAPP-BAILEYS vs SANDBOX (floor), over an empty server
 *   restore   time to restore 1,000 instances at start-up: paced at the default 20/s and at 200/s, SANDBOX as floor
 * Options: --contacts 10 --per-contact 100 --rss-instances 100 --restore-instances 1000
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { capacity } from './capacity.js';
import { inboundLibraryAlone, inboundThroughGateway } from './inbound.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

async function part(name: string): Promise<unknown> {
  const contacts = arg('contacts', 10);
  const perContact = arg('per-contact', 100);
  switch (name) {
    case 'inbound-gateway':
      return inboundThroughGateway(contacts, perContact);
    case 'inbound-library':
      return inboundLibraryAlone(contacts, perContact);
    case 'rss-empty':
      return capacity('WHATSAPP-BAILEYS', 0, 1000);
    case 'rss-baileys':
      return capacity('WHATSAPP-BAILEYS', arg('rss-instances', 100), 1000);
    case 'rss-sandbox':
      return capacity('SANDBOX', arg('rss-instances', 100), 1000);
    case 'restore-baileys-fast':
      // Unpaced (100 000/s) starves the event loop while the HTTP server is still starting: 200/s is the fast variant.
      return capacity('WHATSAPP-BAILEYS', arg('restore-instances', 1000), arg('fast-per-second', 200));
    case 'restore-baileys-paced':
      return capacity('WHATSAPP-BAILEYS', arg('restore-instances', 1000), arg('per-second', 20));
    case 'restore-sandbox':
      return capacity('SANDBOX', arg('restore-instances', 1000), 1000);
  }
  throw new Error(`unknown part ${name}`);
}

const only = process.argv.indexOf('--part');
if (only > 0) {
  const out = await part(process.argv[only + 1]!);
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  process.exit(0);
} else {
  const parts = ['inbound-library', 'inbound-gateway', 'rss-empty', 'rss-sandbox', 'rss-baileys', 'restore-sandbox', 'restore-baileys-paced', 'restore-baileys-fast'];
  const wanted = process.argv.includes('--parts') ? process.argv[process.argv.indexOf('--parts') + 1]!.split(',') : parts;
  const results: Record<string, unknown> = {};
  for (const p of wanted) {
    const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', fileURLToPath(import.meta.url), '--part', p, ...process.argv.slice(2)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = out.split('\n').find((l) => l.startsWith('RESULT '));
    results[p] = line ? JSON.parse(line.slice(7)) : { error: 'no result' };
    console.log(p, JSON.stringify(results[p]));
  }
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(`bench/results/baileys-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, JSON.stringify(results, null, 2));
}
