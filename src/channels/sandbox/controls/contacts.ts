import type { FastifyInstance } from 'fastify';
import type { DriverRouteContext } from '../../driver.js';
import type { SandboxDriver } from '../driver.js';

export function contactControls(_app: FastifyInstance, _context: DriverRouteContext, _driver: SandboxDriver): void {}
