import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../app.js';

export function businessRoutes(_app: FastifyInstance, _ctx: RouteContext): void {}
