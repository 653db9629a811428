import * as Sentry from '@sentry/node';

let enabled = false;

/** Sentry, on only when SENTRY_DSN is set. Events carry instance and correlation id, never request or message bodies. */
export function startErrorReporting(options: { sentryDsn?: string; sentryEnvironment?: string }, version: string): void {
  if (!options.sentryDsn) return;
  Sentry.init({
    dsn: options.sentryDsn,
    release: version,
    environment: options.sentryEnvironment ?? 'production',
    // Our own OpenTelemetry pipeline (tracing.ts) stays ours; Sentry only reports errors.
    enableOpenTelemetrySetup: false,
    defaultIntegrations: false,
    dataCollection: { userInfo: false, cookies: false, httpHeaders: false, httpBodies: [] },
    beforeSend(event) {
      if (event.request) event.request = { method: event.request.method, url: event.request.url };
      delete event.extra?.body;
      return event;
    },
  });
  enabled = true;
}

export function reportError(err: unknown, context: { instance?: string; correlationId?: string; route?: string }): void {
  if (!enabled) return;
  Sentry.withScope((scope) => {
    if (context.instance) scope.setTag('instance', context.instance);
    if (context.correlationId) scope.setTag('correlation_id', context.correlationId);
    if (context.route) scope.setTag('route', context.route);
    Sentry.captureException(err);
  });
}

export async function flushErrorReporting(timeoutMs = 2000): Promise<void> {
  if (enabled) await Sentry.flush(timeoutMs);
}
