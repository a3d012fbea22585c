import type Koa from 'koa';
import { RateLimit } from '../auth/rate-limit.js';
import { authOf, createRequestGuard } from '../auth/request-guard.js';
import { withPolicy } from '../auth/route-policy.js';
import type { Kernel } from '../kernel/create-kernel.js';
import { buildKoaApp } from './build-koa-app.js';
import type { RouteDefinition } from './route.js';
import { accessRoutes } from './routes/access-routes.js';
import { apiKeyRoutes } from './routes/api-key-routes.js';
import { v1Routes } from './v1/v1-routes.js';
import { channelRoutes } from './routes/channel-routes.js';
import { eventRoutes } from './routes/event-routes.js';
import { instanceFeatureRoutes } from './routes/instance-feature-routes.js';
import { instanceRoutes } from './routes/instance-routes.js';
import { mediaRoutes } from './routes/media-routes.js';
import { messageActionRoutes } from './routes/message-action-routes.js';
import { messageRoutes } from './routes/message-routes.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { personRoutes } from './routes/person-routes.js';
import { providerRoutes } from './routes/provider-routes.js';
import { pluginRoutes } from './routes/plugin-routes.js';
import { settingsRoutes } from './routes/settings-routes.js';
import { internalRoutes } from './internal/internal-routes.js';
import { systemRoutes } from './routes/system-routes.js';
import { webhookRoutes } from './routes/webhook-routes.js';

export interface HttpApp {
  app: Koa;
  /** Every mounted route, for documentation. */
  routes: readonly RouteDefinition[];
}

export function createHttpApp(kernel: Kernel): HttpApp {
  // Fixed paths before parameterized ones: /instances/supported-channels comes before /instances/:id.
  const declared: RouteDefinition[] = [
    ...systemRoutes(kernel),
    ...channelRoutes(kernel),
    ...instanceRoutes(kernel),
    ...instanceFeatureRoutes(kernel),
    ...messageRoutes(kernel),
    ...messageActionRoutes(kernel),
    ...mediaRoutes(kernel),
    ...eventRoutes({ events: kernel.eventQueries }),
    ...personRoutes({ identities: kernel.identity }),
    ...accessRoutes({ access: kernel.access, identities: kernel.identity }),
    ...providerRoutes(kernel),
    ...pluginRoutes(kernel),
    ...apiKeyRoutes(kernel),
    ...v1Routes(kernel),
    ...settingsRoutes({ settings: kernel.settings }),
    ...internalRoutes(kernel),
    ...webhookRoutes(kernel),
    // Reads the final list when first asked, so every route above (and any added later) is documented.
    ...openApiRoutes({ routes: () => routes }),
  ];
  // Every route gets its access policy (scope, instance restriction) or startup fails.
  const routes = declared.map(withPolicy);
  const { config } = kernel;
  const app = buildKoaApp(routes, {
    logger: kernel.logger,
    bodyLimit: config.bodyLimit,
    corsOrigins: config.corsOrigins,
    guard: createRequestGuard({ keys: kernel.apiKeys, rateLimit: new RateLimit({ points: config.rateLimit, windowSeconds: config.rateLimitWindowSeconds }) }),
    onAnswered: (ctx) => {
      const auth = authOf(ctx);
      if (auth) kernel.auditLog.use(auth.id, { ip: ctx.ip, userAgent: ctx.get('user-agent') || null, endpoint: `${ctx.method} ${ctx.path}`, statusCode: ctx.status });
    },
  });
  return { app, routes };
}
