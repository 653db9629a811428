import { createServer, type Server, type Socket } from 'node:net';

/**
 * A single-node Kafka broker speaking just enough of the protocol for kafkajs's producer: ApiVersions (v0-v2),
 * Metadata (v0-v1: every topic asked for exists with one partition led by this node), InitProducerId (v0, for the
 * idempotent producer) and Produce (v3, record batches of magic 2, uncompressed). Produced records are decoded into
 * `records` (this decoder is the tests' independent reader). `down` closes every connection and refuses new ones.
 */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  headers: Record<string, string>;
  producerId: bigint;
  sequence: number;
}

const API = { Produce: 0, Metadata: 3, ApiVersions: 18, InitProducerId: 22 } as const;
const SUPPORTED: Array<[number, number, number]> = [
  [API.Produce, 3, 3],
  [API.Metadata, 0, 1],
  [API.ApiVersions, 0, 2],
  [API.InitProducerId, 0, 0],
];

class Reader {
  at = 0;
  constructor(private readonly b: Buffer) {}
  i8 = () => this.b.readInt8((this.at += 1) - 1);
  i16 = () => this.b.readInt16BE((this.at += 2) - 2);
  i32 = () => this.b.readInt32BE((this.at += 4) - 4);
  i64 = () => this.b.readBigInt64BE((this.at += 8) - 8);
  str = () => {
    const n = this.i16();
    return n < 0 ? null : this.b.toString('utf8', this.at, (this.at += n));
  };
  bytes = () => {
    const n = this.i32();
    return n < 0 ? null : this.b.subarray(this.at, (this.at += n));
  };
  array = <T>(item: () => T): T[] => {
    const n = this.i32();
    return n < 0 ? [] : Array.from({ length: n }, item);
  };
  varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const byte = this.b[this.at++]!;
      v |= (byte & 0x7f) << shift;
      if (!(byte & 0x80)) break;
      shift += 7;
    }
    return (v >>> 1) ^ -(v & 1);
  };
  varBytes = () => {
    const n = this.varint();
    return n < 0 ? null : this.b.subarray(this.at, (this.at += n));
  };
}

class Writer {
  private parts: Buffer[] = [];
  private put(n: number, f: (b: Buffer) => void) {
    const b = Buffer.alloc(n);
    f(b);
    this.parts.push(b);
    return this;
  }
  i8 = (v: number) => this.put(1, (b) => b.writeInt8(v));
  i16 = (v: number) => this.put(2, (b) => b.writeInt16BE(v));
  i32 = (v: number) => this.put(4, (b) => b.writeInt32BE(v));
  i64 = (v: bigint) => this.put(8, (b) => b.writeBigInt64BE(v));
  str = (s: string | null) => {
    if (s === null) return this.i16(-1);
    const b = Buffer.from(s);
    this.i16(b.length);
    this.parts.push(b);
    return this;
  };
  array = <T>(items: T[], each: (w: Writer, item: T) => void) => {
    this.i32(items.length);
    for (const it of items) each(this, it);
    return this;
  };
  done = () => Buffer.concat(this.parts);
}

export class FakeKafka {
  readonly records: KafkaRecord[] = [];
  private readonly offsets = new Map<string, number>();
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private nextProducerId = 1000n;
  port = 0;
  down = false;

  get broker(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Drops every connection (a broker outage while `down`). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  stop(): Promise<void> {
    this.cut();
    return new Promise((r) => this.server.close(() => r()));
  }

  private accept(socket: Socket): void {
    if (this.down) return void socket.destroy();
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const size = buf.readInt32BE(0);
        const frame = buf.subarray(4, 4 + size);
        buf = buf.subarray(4 + size);
        const answer = this.handle(frame);
        if (answer && !this.down) {
          const head = Buffer.alloc(4);
          head.writeInt32BE(answer.length);
          socket.write(Buffer.concat([head, answer]));
        }
      }
    });
  }

  private handle(frame: Buffer): Buffer | undefined {
    const r = new Reader(frame);
    const apiKey = r.i16();
    const version = r.i16();
    const correlationId = r.i32();
    r.str(); // client id
    const w = new Writer().i32(correlationId);
    switch (apiKey) {
      case API.ApiVersions:
        w.i16(0).array(SUPPORTED, (x, [k, min, max]) => x.i16(k).i16(min).i16(max));
        if (version >= 1) w.i32(0);
        return w.done();
      case API.Metadata: {
        const topics = r.array(() => r.str()!);
        w.array([0], (x) => {
          x.i32(0).str('127.0.0.1').i32(this.port);
          if (version >= 1) x.str(null);
        });
        if (version >= 1) w.i32(0);
        return w
          .array(topics, (x, t) => {
            x.i16(0).str(t);
            if (version >= 1) x.i8(0);
            x.array([0], (p) => p.i16(0).i32(0).i32(0).array([0], (q, n) => q.i32(n)).array([0], (q, n) => q.i32(n)));
          })
          .done();
      }
      case API.InitProducerId:
        return w.i32(0).i16(0).i64(this.nextProducerId++).i16(0).done();
      case API.Produce: {
        r.str(); // transactional id
        const acks = r.i16();
        r.i32(); // timeout
        const topics = r.array(() => ({ name: r.str()!, partitions: r.array(() => ({ index: r.i32(), records: r.bytes() })) }));
        const results = topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, base: this.append(t.name, p.index, p.records) })) }));
        if (acks === 0) return undefined;
        return w
          .array(results, (x, t) => x.str(t.name).array(t.partitions, (y, p) => y.i32(p.index).i16(0).i64(BigInt(p.base)).i64(-1n)))
          .i32(0)
          .done();
      }
      default:
        return w.i16(35).done(); // UNSUPPORTED_VERSION
    }
  }

  /** Decodes one record batch (magic 2, no compression) and appends its records; returns the base offset. */
  private append(topic: string, partition: number, batch: Buffer | null): number {
    const key = `${topic}/${partition}`;
    const base = this.offsets.get(key) ?? 0;
    if (!batch) return base;
    const r = new Reader(batch);
    r.i64(); // base offset
    r.i32(); // batch length
    r.i32(); // partition leader epoch
    const magic = r.i8();
    if (magic !== 2) throw new Error(`record batch magic ${magic}`);
    r.i32(); // crc
    const attributes = r.i16();
    if (attributes & 0x07) throw new Error('compressed batches are not supported by this fake');
    r.i32(); // last offset delta
    r.i64(); // first timestamp
    r.i64(); // max timestamp
    const producerId = r.i64();
    r.i16(); // producer epoch
    const baseSequence = r.i32();
    const count = r.i32();
    for (let n = 0; n < count; n++) {
      r.varint(); // length
      r.i8(); // attributes
      r.varint(); // timestamp delta
      const offsetDelta = r.varint();
      const k = r.varBytes();
      const v = r.varBytes();
      const headers: Record<string, string> = {};
      const hc = r.varint();
      for (let h = 0; h < hc; h++) {
        const hk = r.varBytes()!.toString();
        headers[hk] = r.varBytes()?.toString() ?? '';
      }
      this.records.push({ topic, partition, offset: base + offsetDelta, key: k?.toString() ?? null, value: v?.toString() ?? '', headers, producerId, sequence: baseSequence + n });
    }
    this.offsets.set(key, base + count);
    return base;
  }
}
