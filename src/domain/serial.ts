/** Runs tasks one after another (per instance), so state changes and their events keep their order. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  run<T>(task: () => Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined).finally(() => this.pending--);
    return result;
  }

  get size(): number {
    return this.pending;
  }

  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
