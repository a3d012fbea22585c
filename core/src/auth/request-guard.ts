import type { Context } from 'koa';
import { OmniError } from '@omni/plugin-sdk';
import type { RouteDefinition, RouteGuard } from '../http/route.js';
import type { ApiKeyService, AuthenticatedKey } from './api-key-service.js';
import type { RateLimit } from './rate-limit.js';
import { grants } from './scopes.js';

/** The key a request presents: `x-api-key`, or `Authorization: Bearer <key>`. */
export function presentedKey(ctx: Context): string | undefined {
  const header = ctx.get('x-api-key');
  if (header) return header.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  return match?.[1];
}

/** The authenticated key of a request, set by the guard. */
export const authOf = (ctx: Context): AuthenticatedKey | undefined => ctx.state.auth as AuthenticatedKey | undefined;

/** 404 (never 403: a restricted key must not learn that other instances exist) unless the key may use the instance. */
export function assertInstanceAllowed(auth: AuthenticatedKey | undefined, instanceId: string | null | undefined): void {
  if (!auth?.instanceIds) return;
  if (!instanceId || !auth.instanceIds.includes(instanceId)) throw new OmniError('NOT_FOUND', 'not found');
}

/** Authentication, scopes, per-key rate limits and instance restrictions for every route. */
export function createRequestGuard(deps: { keys: ApiKeyService; rateLimit: RateLimit }): RouteGuard {
  return {
    async admit(route: RouteDefinition, ctx: Context) {
      if (route.internal) return;
      const presented = presentedKey(ctx);
      const auth = presented ? await deps.keys.authenticate(presented) : null;
      if (!route.public) {
        if (!presented) throw new OmniError('UNAUTHORIZED', 'send an API key in the x-api-key header or as Authorization: Bearer <key>');
        if (!auth) throw new OmniError('UNAUTHORIZED', 'the API key is invalid, revoked or expired');
      }
      if (auth) ctx.state.auth = auth;
      if (route.rateLimited !== false) await deps.rateLimit.consume(ctx, auth ? `key:${auth.id}` : `ip:${ctx.ip}`);
      if (route.public || !auth) return;
      if (!route.scope || !grants(auth.scopes, route.scope)) {
        throw new OmniError('FORBIDDEN', `this API key lacks the scope '${route.scope}'`, { details: { required: route.scope } });
      }
      if (auth.instanceIds && !route.instance) throw new OmniError('FORBIDDEN', 'this API key is restricted to some instances; this route spans all of them');
    },

    restrict(route: RouteDefinition, ctx: Context, input) {
      const auth = authOf(ctx);
      if (!auth?.instanceIds || !route.instance || ['filtered', 'checked', 'none'].includes(route.instance)) return;
      const [where, field] = route.instance.split('.') as ['params' | 'query' | 'body', string];
      assertInstanceAllowed(auth, (input[where] as Record<string, string | undefined> | undefined)?.[field]);
    },
  };
}

/**
 * The instances a list may show: the requested one (404 unless the key may use it), else every
 * instance the key is restricted to, else (unrestricted) the request as it is.
 */
export function narrowInstances(ctx: Context, requested: string | undefined): string | readonly string[] | undefined {
  const auth = authOf(ctx);
  if (!auth?.instanceIds) return requested;
  if (requested !== undefined) {
    assertInstanceAllowed(auth, requested);
    return requested;
  }
  return auth.instanceIds;
}
