import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '@omni/plugin-sdk';
import { errorEnvelope } from './error-envelope.js';
import { readBody } from './read-body.js';
import { requestLogging } from './request-logging.js';
import { mountRoutes, type RouteDefinition } from './route.js';

/** The middleware stack every Omni HTTP app uses, around the given routes. */
export function buildKoaApp(routes: readonly RouteDefinition[], options: { logger: Logger; bodyLimit: string }): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const router = new Router();
  mountRoutes(router, routes);
  app.use(requestLogging(options.logger));
  app.use(errorEnvelope(options.logger));
  app.use(readBody(options.bodyLimit));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
