import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

interface RouteBase {
  method: HttpMethod;
  /** A koa-router path, e.g. `/api/v2/channels/:id`. */
  path: string;
  summary: string;
  tags: string[];
  /** True for the few routes anyone may call (health, docs). */
  public?: boolean;
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

/** Mounts route definitions on a router; returns them so the API can be documented from the same data. */
export function mountRoutes(router: Router, routes: readonly RouteDefinition[]): readonly RouteDefinition[] {
  for (const route of routes) {
    router[route.method](route.path, async (ctx) => {
      if ('raw' in route) {
        parse(route.params, ctx.params, 'params');
        return route.handler(ctx);
      }
      if (route.body && ctx.request.rawBody?.length && !ctx.request.is('json', '+json')) {
        throw new OmniError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
      }
      const params = parse(route.params, ctx.params, 'params');
      const query = parse(route.query, ctx.query, 'query');
      const body = parse(route.body, ctx.request.body, 'body');
      // Set first so a handler may still choose another status (health answers 503 when unhealthy).
      ctx.status = route.status ?? 200;
      ctx.body = await route.handler({ params, query, body, ctx });
    });
  }
  return routes;
}
