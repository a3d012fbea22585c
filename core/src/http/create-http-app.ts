import Router from '@koa/router';
import Koa from 'koa';
import type { Kernel } from '../kernel/create-kernel.js';
import { errorEnvelope } from './error-envelope.js';
import { readBody } from './read-body.js';
import { requestLogging } from './request-logging.js';
import { mountRoutes, type RouteDefinition } from './route.js';
import { channelRoutes } from './routes/channel-routes.js';
import { pluginRoutes } from './routes/plugin-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

export interface HttpApp {
  app: Koa;
  /** Every mounted route, for documentation. */
  routes: readonly RouteDefinition[];
}

export function createHttpApp(kernel: Kernel): HttpApp {
  const app = new Koa({ proxy: false });
  app.silent = true;
  const router = new Router();
  const routes = mountRoutes(router, [...systemRoutes(kernel), ...channelRoutes(kernel), ...pluginRoutes(kernel), ...webhookRoutes(kernel)]);

  app.use(requestLogging(kernel.logger));
  app.use(errorEnvelope(kernel.logger));
  app.use(readBody(kernel.config.bodyLimit));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, routes };
}
