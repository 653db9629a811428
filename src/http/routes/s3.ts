import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../app.js';

export function s3Routes(_app: FastifyInstance, _ctx: RouteContext): void {}
