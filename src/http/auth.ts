import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { instanceMissing, unauthorized } from '../domain/errors.js';
import type { InstanceRegistry, LiveInstance } from '../domain/registry.js';
import { secretMatchesDigest, sha256Digest } from '../security/secrets.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The instance named in the path, once authorized. */
    live?: LiveInstance;
    /** True when the caller used the global key. */
    isAdmin?: boolean;
  }
}

export interface Guards {
  /** Global key only. */
  global: onRequestHookHandler;
  /** Global key, or the token of the instance named in the path. */
  instance: onRequestHookHandler;
  /** Global key, or any instance token (the route then limits itself to that instance). */
  globalOrToken: onRequestHookHandler;
}

function apikeyOf(request: FastifyRequest): string | undefined {
  const v = request.headers.apikey;
  const key = Array.isArray(v) ? v[0] : v;
  return key ? key : undefined;
}

/**
 * Authentication runs before any lookup, so an unauthenticated caller cannot tell which instance names exist
 * (upstream answered 404 before 401). Keys are compared in constant time.
 */
export function createGuards(globalKey: string, registry: InstanceRegistry): Guards {
  const globalDigest = sha256Digest(globalKey);
  const isGlobal = (key: string) => secretMatchesDigest(key, globalDigest);
  return {
    global: async (request: FastifyRequest, _reply: FastifyReply) => {
      const key = apikeyOf(request);
      if (!key || !isGlobal(key)) throw unauthorized();
      request.isAdmin = true;
    },
    instance: async (request: FastifyRequest, _reply: FastifyReply) => {
      const key = apikeyOf(request);
      if (!key) throw unauthorized();
      const name = (request.params as { instanceName?: string }).instanceName ?? '';
      const live = registry.get(name);
      if (isGlobal(key)) {
        if (!live) throw instanceMissing(name);
        request.isAdmin = true;
        request.live = live;
        return;
      }
      if (!live || !registry.tokenMatches(live, key)) throw unauthorized();
      request.live = live;
    },
    globalOrToken: async (request: FastifyRequest, _reply: FastifyReply) => {
      const key = apikeyOf(request);
      if (!key) throw unauthorized();
      if (isGlobal(key)) {
        request.isAdmin = true;
        return;
      }
      const owned = registry.byToken(key);
      if (!owned.length) throw unauthorized();
      request.live = owned[0];
    },
  };
}
