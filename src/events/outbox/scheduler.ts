import type { OutboxRow } from '../../storage/outboxRepository.js';
import { CircuitBreaker } from './breaker.js';
import type { OutboxTransport } from './transport.js';

/** Deliveries of one destination and one chat of one instance, sent one at a time in outbox order. */
export interface Lane {
  key: string;
  destination: Destination;
  partition: number;
  items: OutboxRow[];
  busy: boolean;
  timer?: NodeJS.Timeout;
}

/** A transport's destination (a webhook URL, a broker): its own limit and breaker. */
export interface Destination {
  key: string;
  transport: OutboxTransport;
  breaker: CircuitBreaker;
  inFlight: number;
  /** Most sends in flight at once. */
  window: number;
}

export interface SchedulerHooks {
  owns(partition: number): boolean;
  /** Partitions whose older rows are still being loaded: nothing of theirs is sent until they are (lane order). */
  loading(partition: number): boolean;
  /** Rows finished but not written back: never queued again. */
  finished(seq: number): boolean;
  /** Sends a batch (one head row of each lane, all of one destination) and records the outcomes. Never rejects. */
  send(destination: Destination, lanes: Lane[], rows: OutboxRow[]): Promise<void>;
}

/** Takes a sent row out of its lane: the head, unless rows were inserted before it (see add). */
function removeRow(lane: Lane, row: OutboxRow): void {
  if (lane.items[0] === row) lane.items.shift();
  else {
    const i = lane.items.indexOf(row);
    if (i >= 0) lane.items.splice(i, 1);
  }
}

/**
 * Lanes of the rows in memory and what may be sent now. Lanes run in parallel under a total limit and each
 * destination's own limit and breaker; destinations take turns. A transport with a batch size above one gets the
 * heads of several ready lanes of one destination in one send.
 */
export class Scheduler {
  /** Seqs of the rows in memory. */
  readonly known = new Set<number>();
  readonly lanes = new Map<string, Lane>();
  /** Lanes that can send now, by destination (a saturated destination is skipped in one step). */
  private readonly ready = new Map<string, Set<Lane>>();
  private readonly destinations = new Map<string, Destination>();
  inFlight = 0;
  stopped = false;

  constructor(private readonly totalLimit: number, private readonly transports: ReadonlyMap<string, OutboxTransport>, private readonly hooks: SchedulerHooks) {}

  /** Queues a row in its lane; false when it is already known, finished or not ours (or its transport is unknown). */
  add(row: OutboxRow): boolean {
    if (this.known.has(row.seq) || this.hooks.finished(row.seq) || !this.hooks.owns(row.partition)) return false;
    let lane = this.lanes.get(row.lane);
    if (!lane) {
      const destination = this.destinationOf(row);
      if (!destination) return false;
      lane = { key: row.lane, destination, partition: row.partition, items: [], busy: false };
      this.lanes.set(row.lane, lane);
    }
    this.known.add(row.seq);
    const items = lane.items;
    if (!items.length || items.at(-1)!.seq < row.seq) items.push(row);
    else {
      // A row that became visible late goes in seq order, but never before the head while it is being sent: that
      // send's outcome is for the head (and removing "the first item" afterwards would drop the late row instead).
      const at = items.findIndex((r) => r.seq > row.seq);
      items.splice(lane.busy ? Math.max(1, at) : at, 0, row);
    }
    if (!lane.busy && !lane.timer) this.markReady(lane);
    return true;
  }

  /** Whether anything can be sent without waiting for a timer. */
  get busy(): boolean {
    if (this.inFlight > 0) return true;
    for (const l of this.lanes.values()) if (l.items.length && !l.timer) return true;
    return false;
  }

  /** A sent row is done (delivered or dead): out of its lane and of memory. */
  finish(lane: Lane, row: OutboxRow): void {
    removeRow(lane, row);
    this.known.delete(row.seq);
  }

  /** Whether a lane that went out is still ours (its partition was not dropped meanwhile). */
  current(lane: Lane): boolean {
    return this.hooks.owns(lane.partition) && this.lanes.get(lane.key) === lane;
  }

  /** After a lane's send: it goes back to the ready set or is forgotten when empty. */
  private settle(lane: Lane): void {
    if (lane.items.length) this.markReady(lane);
    else this.lanes.delete(lane.key);
  }

  dropPartition(p: number): void {
    for (const lane of [...this.lanes.values()]) {
      if (lane.partition !== p) continue;
      if (lane.timer) clearTimeout(lane.timer);
      for (const row of lane.items) this.known.delete(row.seq);
      lane.items = [];
      this.unready(lane);
      this.lanes.delete(lane.key);
    }
  }

  /** Partitions with a lane in flight (not to be given away now). */
  busyPartitions(): Set<number> {
    const out = new Set<number>();
    for (const l of this.lanes.values()) if (l.busy) out.add(l.partition);
    return out;
  }

  stop(): void {
    this.stopped = true;
    for (const lane of this.lanes.values()) if (lane.timer) clearTimeout(lane.timer);
  }

  pump(): void {
    if (this.stopped) return;
    const now = Date.now();
    const served: string[] = [];
    for (const [key, lanes] of this.ready) {
      if (this.inFlight >= this.totalLimit) break;
      const d = this.destinations.get(key)!;
      if (d.inFlight >= d.window) continue;
      const rest = d.breaker.waitMs(now);
      const size = d.transport.limits.batchSize;
      let batch: Lane[] = [];
      for (const lane of lanes) {
        if (this.inFlight >= this.totalLimit) break;
        const head = lane.items[0];
        if (!head) {
          lanes.delete(lane);
          this.lanes.delete(lane.key);
          continue;
        }
        if (this.hooks.loading(lane.partition)) continue;
        const wait = Math.max(head.nextAttemptAt - now, rest);
        if (wait > 0) {
          this.sleep(lane, wait);
          continue;
        }
        if (!batch.length && (d.inFlight >= d.window || !d.breaker.admit())) break;
        lanes.delete(lane);
        batch.push(lane);
        if (batch.length >= size) {
          this.dispatch(d, batch);
          batch = [];
        }
      }
      if (batch.length) this.dispatch(d, batch);
      if (d.inFlight) served.push(key);
      if (!lanes.size) this.ready.delete(key);
    }
    // Destinations take turns under the total limit: the ones just served go to the back.
    for (const key of served) {
      const lanes = this.ready.get(key);
      if (!lanes) continue;
      this.ready.delete(key);
      this.ready.set(key, lanes);
    }
  }

  private dispatch(d: Destination, lanes: Lane[]): void {
    const rows = lanes.map((l) => l.items[0]!);
    for (const l of lanes) l.busy = true;
    this.inFlight++;
    d.inFlight++;
    // The lanes go back to ready (or away) in the same step that clears `busy`: a lane that were ready while still
    // marked busy could be taken by a pump in between, and cleared of its busy mark while its next send is in flight.
    void this.hooks.send(d, lanes, rows).finally(() => {
      this.inFlight--;
      d.inFlight--;
      for (const l of lanes) {
        l.busy = false;
        if (this.current(l)) this.settle(l);
      }
      this.pump();
    });
  }

  private destinationOf(row: OutboxRow): Destination | undefined {
    const transport = this.transports.get(row.kind);
    if (!transport) return undefined;
    const key = `${row.kind} ${transport.destinationOf(row.target)}`;
    let d = this.destinations.get(key);
    if (!d) {
      d = { key, transport, breaker: new CircuitBreaker(transport.limits.breaker), inFlight: 0, window: transport.limits.concurrencyPerDestination };
      this.destinations.set(key, d);
    }
    return d;
  }

  private markReady(lane: Lane): void {
    let lanes = this.ready.get(lane.destination.key);
    if (!lanes) {
      lanes = new Set();
      this.ready.set(lane.destination.key, lanes);
    }
    lanes.add(lane);
  }

  private unready(lane: Lane): void {
    const lanes = this.ready.get(lane.destination.key);
    if (lanes?.delete(lane) && !lanes.size) this.ready.delete(lane.destination.key);
  }

  sleep(lane: Lane, ms: number): void {
    this.unready(lane);
    if (lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = undefined;
      if (this.lanes.get(lane.key) === lane && !lane.busy) {
        this.markReady(lane);
        this.pump();
      }
    }, ms);
    lane.timer.unref();
  }
}
