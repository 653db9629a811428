import Fastify, { type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type { Gateway } from '../gateway.js';
import { createGuards, type Guards } from './auth.js';
import { installErrorHandlers } from './errors.js';
import { rootRoutes } from './routes/root.js';
import { instanceRoutes } from './routes/instance.js';
import { messageRoutes } from './routes/message.js';
import { chatRoutes } from './routes/chat.js';
import { messageMediaRoutes } from './routes/messageMedia.js';
import { chatMessageRoutes } from './routes/chatMessages.js';
import { chatMediaRoutes } from './routes/chatMedia.js';
import { profileRoutes } from './routes/profile.js';
import { groupRoutes } from './routes/group.js';
import { labelRoutes } from './routes/label.js';
import { callRoutes } from './routes/call.js';
import { businessRoutes } from './routes/business.js';
import { proxyRoutes } from './routes/proxy.js';
import { templateRoutes } from './routes/template.js';
import { s3Routes } from './routes/s3.js';
import { settingsRoutes } from './routes/settings.js';
import { webhookRoutes } from './routes/webhook.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { eventTransportRoutes } from './routes/eventTransports.js';
import { healthRoutes } from './routes/health.js';
import { chatwootRoutes } from './routes/chatwoot.js';
import { chatbotRoutes } from './routes/chatbots.js';
import { enterCorrelation } from '../observability/context.js';
import { endSpan, tracer } from '../observability/tracing.js';
import type { Span } from '@opentelemetry/api';

export type App = FastifyInstance;

export interface RouteContext {
  gateway: Gateway;
  guards: Guards;
}

/** Builds the HTTP server: validation and OpenAPI from one schema per route, upstream error shapes, request ids. */
export async function buildApp(gateway: Gateway): Promise<App> {
  const app = Fastify({
    loggerInstance: gateway.logger,
    bodyLimit: gateway.config.server.bodyLimit,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, verbose: true, strict: false } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  // Correlation id = request id: it follows the events this request causes into webhook deliveries (x-correlation-id).
  const spans = new WeakMap<object, Span>();
  // Without an exporter every span is a no-op: skip building its name and attributes on each request.
  const tracingOn = !!gateway.config.observability.otlpEndpoint;
  // Callback-style hooks: on every request, an async hook costs a promise for nothing.
  app.addHook('onRequest', (request, reply, done) => {
    enterCorrelation(request.id);
    reply.header('x-request-id', request.id);
    if (tracingOn) spans.set(request, tracer().startSpan(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, { attributes: { 'http.request.method': request.method, 'http.route': request.routeOptions.url ?? '', 'gateway.correlation_id': request.id } }));
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    gateway.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      const instance = (request.params as { instanceName?: string } | undefined)?.instanceName;
      if (instance) span.setAttribute('gateway.instance', instance);
      endSpan(span, reply.statusCode >= 500 ? `HTTP ${reply.statusCode}` : undefined);
    }
    done();
  });
  installErrorHandlers(app);

  // As upstream's body-parser: a missing or empty JSON body is `{}` (optional bodies may be omitted, and
  // clients that send `content-type: application/json` on every call still work on bodyless routes).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => (body === '' ? done(null, {}) : parseJson(request, body as string, done)));
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined) request.body = {};
    done();
  });

  const { cors: corsConfig } = gateway.config;
  await app.register(cors, { origin: corsConfig.origin === '*' ? '*' : corsConfig.origin, methods: corsConfig.methods, credentials: corsConfig.credentials, allowedHeaders: ['apikey', 'content-type', 'x-request-id'], exposedHeaders: ['x-request-id'] });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'WhatsApp gateway (Evolution API v2 compatible)', version: gateway.config.version, description: 'Send `apikey: <global key or instance token>` on every protected route.' },
      components: { securitySchemes: { apikey: { type: 'apiKey', in: 'header', name: 'apikey' } } },
      security: [{ apikey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const ctx: RouteContext = { gateway, guards: createGuards(gateway.config.auth.apiKey, gateway.registry) };
  await app.register(async (scope) => {
    rootRoutes(scope, ctx);
    healthRoutes(scope, ctx);
    instanceRoutes(scope, ctx);
    messageRoutes(scope, ctx);
    chatRoutes(scope, ctx);
    messageMediaRoutes(scope, ctx);
    chatMessageRoutes(scope, ctx);
    chatMediaRoutes(scope, ctx);
    profileRoutes(scope, ctx);
    groupRoutes(scope, ctx);
    labelRoutes(scope, ctx);
    callRoutes(scope, ctx);
    businessRoutes(scope, ctx);
    proxyRoutes(scope, ctx);
    templateRoutes(scope, ctx);
    s3Routes(scope, ctx);
    settingsRoutes(scope, ctx);
    webhookRoutes(scope, ctx);
    deliveryRoutes(scope, ctx);
    eventTransportRoutes(scope, ctx);
    chatwootRoutes(scope, ctx);
    chatbotRoutes(scope, ctx);
    for (const driver of gateway.drivers.values()) driver.routes?.(scope, ctx);
  });
  return app;
}
