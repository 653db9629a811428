import { AsyncLocalStorage } from 'node:async_hooks';

/** The request (or other cause) that the current work belongs to: its id travels into events, deliveries and logs. */
const context = new AsyncLocalStorage<{ correlationId: string }>();

export function enterCorrelation(correlationId: string): void {
  context.enterWith({ correlationId });
}

export function currentCorrelationId(): string | undefined {
  return context.getStore()?.correlationId;
}
