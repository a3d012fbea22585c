import Router from '@koa/router';
import Koa from 'koa';
import type { Kernel } from '../kernel/create-kernel.js';
import { errorEnvelope } from './error-envelope.js';
import { readBody } from './read-body.js';
import { requestLogging } from './request-logging.js';
import { mountRoutes, type RouteDefinition } from './route.js';
import { accessRoutes } from './routes/access-routes.js';
import { channelRoutes } from './routes/channel-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { instanceRoutes } from './routes/instance-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { personRoutes } from './routes/person-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
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
  // Fixed paths before parameterized ones: /instances/supported-channels comes before /instances/:id.
  const routes = mountRoutes(router, [
    ...systemRoutes(kernel),
    ...channelRoutes(kernel),
    ...instanceRoutes(kernel),
    ...messageRoutes(kernel),
    ...eventRoutes({ events: kernel.eventQueries }),
    ...personRoutes({ identities: kernel.identity }),
    ...accessRoutes({ access: kernel.access, identities: kernel.identity }),
    ...providerRoutes(kernel),
    ...pluginRoutes(kernel),
    ...webhookRoutes(kernel),
  ]);

  app.use(requestLogging(kernel.logger));
  app.use(errorEnvelope(kernel.logger));
  app.use(readBody(kernel.config.bodyLimit));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, routes };
}
