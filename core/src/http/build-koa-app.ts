import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Logger } from '@omni/plugin-sdk';
import { errorEnvelope } from './error-envelope.js';
import { readBody } from './read-body.js';
import { requestLogging } from './request-logging.js';
import { corsFor } from './cors.js';
import { mountRoutes, type RouteDefinition, type RouteGuard } from './route.js';

export interface KoaAppOptions {
  logger: Logger;
  bodyLimit: string;
  /** Authentication and admission for every route; none in route unit tests. */
  guard?: RouteGuard;
  corsOrigins?: readonly string[];
  /** Called once a request is answered, with its final status (API key audit). */
  onAnswered?: (ctx: Context) => void;
}

/** The middleware stack every Omni HTTP app uses, around the given routes. */
export function buildKoaApp(routes: readonly RouteDefinition[], options: KoaAppOptions): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const router = new Router();
  mountRoutes(router, routes, options.guard);
  app.use(requestLogging(options.logger));
  const cors = corsFor(options.corsOrigins ?? []);
  if (cors) app.use(cors);
  const onAnswered = options.onAnswered;
  if (onAnswered) {
    app.use(async (ctx, next) => {
      try {
        await next();
      } finally {
        onAnswered(ctx);
      }
    });
  }
  app.use(errorEnvelope(options.logger));
  app.use(readBody(options.bodyLimit));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
