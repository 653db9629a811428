import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Copies the SQLite write-ahead log back into the database file from a thread of its own. With SQLite's automatic
 * checkpoint, every thousandth page written makes one commit on the main thread copy the log and sync the file; here
 * the main connection never checkpoints and this thread runs a PASSIVE checkpoint (it never blocks a writer) often
 * enough that the log stays small.
 */
export class SqliteCheckpointer {
  private readonly worker: Worker;

  constructor(file: string, everyMs = 100) {
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const Database = require(workerData.module);
      const db = new Database(workerData.file);
      db.pragma('busy_timeout = 1000');
      const checkpoint = () => { try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} };
      const timer = setInterval(checkpoint, workerData.everyMs);
      parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
    `;
    this.worker = new Worker(code, { eval: true, workerData: { module: createRequire(import.meta.url).resolve('better-sqlite3'), file, everyMs } });
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** Stops the thread after one last checkpoint. */
  async close(): Promise<void> {
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage('close');
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
