import type Koa from 'koa';
import type { Kernel } from '../kernel/create-kernel.js';
import { buildKoaApp } from './build-koa-app.js';
import type { RouteDefinition } from './route.js';
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
  // Fixed paths before parameterized ones: /instances/supported-channels comes before /instances/:id.
  const routes: RouteDefinition[] = [
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
  ];
  return { app: buildKoaApp(routes, { logger: kernel.logger, bodyLimit: kernel.config.bodyLimit }), routes };
}
