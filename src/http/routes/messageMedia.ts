import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../app.js';

export function messageMediaRoutes(_app: FastifyInstance, _ctx: RouteContext): void {}
