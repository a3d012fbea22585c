import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import type { RequiredScope } from '../auth/scopes.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteBase {
  method: HttpMethod;
  /** A koa-router path, e.g. `/api/v2/channels/:id`. */
  path: string;
  summary: string;
  tags: string[];
  /** True for the few routes anyone may call (health, docs) and for platform webhooks, which channels verify. */
  public?: boolean;
  /** Loopback-only internal API (seed 001): no API key; the loopback guard decides. */
  internal?: boolean;
  /** Runs before the input is parsed, after the guard's admission (the internal API's loopback check). */
  admit?: (ctx: Context) => void | Promise<void>;
  /** The API key scope the route needs (set from the route policy when not given here). */
  scope?: RequiredScope;
  /**
   * Where the route names its instance, for keys restricted to some instances: `params.id`,
   * `body.instanceId`, ...; `filtered`: the handler narrows its answer; `checked`: the handler checks
   * the instance it finds; `none`: the route touches no instance. Unset: restricted keys are refused.
   */
  instance?: InstanceLocation;
  /** False for platform webhooks: a platform's retries are never refused for rate. */
  rateLimited?: boolean;
}

export type InstanceLocation = `${'params' | 'query' | 'body'}.${string}` | 'filtered' | 'checked' | 'none';

/** Admission control around every route: authentication, scopes, rate limits, instance restrictions. */
export interface RouteGuard {
  /** Before the input is parsed. */
  admit(route: RouteDefinition, ctx: Context): Promise<void>;
  /** After parsing, with the parsed input. */
  restrict(route: RouteDefinition, ctx: Context, input: { params: unknown; query: unknown; body: unknown }): void;
}

/** A route whose input and output are described by zod: one schema validates, types and documents. */
export interface JsonRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType> extends RouteBase {
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  /** Success status (default 200). */
  status?: number;
  handler(input: { params: z.output<P>; query: z.output<Q>; body: z.output<B>; ctx: Context }): Promise<z.input<R>> | z.input<R>;
}

/** A route that answers by itself (platform webhooks must control status and raw body). */
export interface RawRoute extends RouteBase {
  raw: true;
  params?: z.ZodType;
  handler(ctx: Context): Promise<void>;
}

export type RouteDefinition = JsonRoute<any, any, any, any> | RawRoute;

export function defineRoute<
  P extends z.ZodType = z.ZodObject<{}>,
  Q extends z.ZodType = z.ZodObject<{}>,
  B extends z.ZodType = z.ZodUnknown,
  R extends z.ZodType = z.ZodUnknown,
>(route: JsonRoute<P, Q, B, R>): JsonRoute<P, Q, B, R>;
export function defineRoute(route: RawRoute): RawRoute;
export function defineRoute(route: RouteDefinition): RouteDefinition {
  return route;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: unknown, where: 'params' | 'query' | 'body'): z.output<T> {
  if (!schema) return value as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new OmniError('VALIDATION_ERROR', `invalid ${where}`, {
      details: result.error.issues.map((i) => ({ in: where, path: i.path.join('.'), message: i.message })),
    });
  }
  return result.data;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Ids and query values never hold control characters, and no text may hold NUL (PostgreSQL cannot
 * store it): refuse them up front instead of failing deep in a query.
 */
function refuseControlCharacters(ctx: Context): void {
  for (const [where, values] of [['params', ctx.params], ['query', ctx.query]] as const) {
    for (const [name, value] of Object.entries(values ?? {})) {
      if ([value].flat().some((v) => typeof v === 'string' && CONTROL.test(v))) {
        throw new OmniError('VALIDATION_ERROR', `invalid ${where}`, { details: [{ in: where, path: name, message: 'control characters are not allowed' }] });
      }
    }
  }
  const raw = ctx.request.rawBody;
  if (raw && (raw.includes('\\u0000') || raw.includes('\u0000'))) {
    throw new OmniError('VALIDATION_ERROR', 'invalid body', { details: [{ in: 'body', path: '', message: 'NUL characters are not allowed' }] });
  }
}

/** Mounts route definitions on a router; returns them so the API can be documented from the same data. */
export function mountRoutes(router: Router, routes: readonly RouteDefinition[], guard?: RouteGuard): readonly RouteDefinition[] {
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      await guard?.admit(route, ctx);
      await route.admit?.(ctx);
      refuseControlCharacters(ctx);
      if ('raw' in route) {
        const params = parse(route.params, ctx.params, 'params');
        guard?.restrict(route, ctx, { params, query: ctx.query, body: undefined });
        return route.handler(ctx);
      }
      if (route.body && ctx.request.rawBody?.length && !ctx.request.is('json', '+json')) {
        throw new OmniError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
      }
      const params = parse(route.params, ctx.params, 'params');
      const query = parse(route.query, ctx.query, 'query');
      const body = parse(route.body, ctx.request.body, 'body');
      guard?.restrict(route, ctx, { params, query, body });
      // Set first so a handler may still choose another status (health answers 503 when unhealthy).
      ctx.status = route.status ?? 200;
      ctx.body = await route.handler({ params, query, body, ctx });
    });
  }
  return routes;
}
