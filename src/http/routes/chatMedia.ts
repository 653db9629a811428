import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../app.js';

export function chatMediaRoutes(_app: FastifyInstance, _ctx: RouteContext): void {}
