import type { InstanceLocation, RouteDefinition } from '../http/route.js';
import type { RequiredScope } from './scopes.js';

type Policy = { scope: RequiredScope; instance?: InstanceLocation } | 'public' | 'webhook';

const I = (scope: RequiredScope, instance?: InstanceLocation): Policy => ({ scope, ...(instance ? { instance } : {}) });

/**
 * Who may call what: one table for the whole API, so it can be reviewed in one place. A route may
 * also declare `scope`/`instance` itself; a route with neither (and not public or internal) is a
 * startup error, so no route is ever mounted unguarded.
 */
const POLICY: Record<string, Policy> = {
  'GET /api/v2/health': 'public',
  'GET /api/v2/info': I('instances:read', 'none'),
  'GET /api/v2/channels': I('instances:read', 'none'),
  'GET /api/v2/channels/:id': I('instances:read', 'none'),
  'GET /api/v2/instances/supported-channels': I('instances:read', 'none'),

  'GET /api/v2/instances': I('instances:read', 'filtered'),
  'POST /api/v2/instances': I('instances:write'),
  'GET /api/v2/instances/:id': I('instances:read', 'params.id'),
  'PATCH /api/v2/instances/:id': I('instances:write', 'params.id'),
  'DELETE /api/v2/instances/:id': I('instances:delete', 'params.id'),
  'GET /api/v2/instances/:id/status': I('instances:read', 'params.id'),
  'GET /api/v2/instances/:id/qr': I('instances:read', 'params.id'),
  'POST /api/v2/instances/:id/connect': I('instances:write', 'params.id'),
  'POST /api/v2/instances/:id/disconnect': I('instances:write', 'params.id'),
  'POST /api/v2/instances/:id/restart': I('instances:write', 'params.id'),
  'POST /api/v2/instances/:id/logout': I('instances:write', 'params.id'),
  'POST /api/v2/instances/discover': I('instances:write'),
  'PUT /api/v2/instances/:id/profile': I('instances:write', 'params.id'),
  'POST /api/v2/instances/:id/validate-recipient': I('instances:read', 'params.id'),
  'GET /api/v2/instances/:id/profile/:platformUserId': I('instances:read', 'params.id'),
  'POST /api/v2/instances/:id/sync': I('instances:write', 'params.id'),
  'GET /api/v2/instances/:id/sync/status': I('instances:read', 'params.id'),
  'PATCH /api/v2/instances/:id/chats/:chatId/mark-read': I('messages:send', 'params.id'),
  'PATCH /api/v2/instances/:id/messages/:messageId/mark-read': I('messages:send', 'params.id'),
  'GET /api/v2/instances/:id/messages/:messageId/media': I('messages:read', 'params.id'),
  'GET /api/v2/media/:instanceId/:hash': I('messages:read', 'params.instanceId'),

  'POST /api/v2/messages': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/media': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/reaction': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/sticker': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/contact': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/location': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/poll': I('messages:send', 'body.instanceId'),
  'POST /api/v2/messages/typing': I('messages:send', 'body.instanceId'),
  'PATCH /api/v2/messages/:id': I('messages:send', 'checked'),
  'DELETE /api/v2/messages/:id': I('messages:send', 'checked'),

  'GET /api/v2/events': I('events:read', 'filtered'),
  'GET /api/v2/events/analytics': I('events:read', 'filtered'),
  'GET /api/v2/events/by-sender/:senderId': I('events:read', 'filtered'),
  'GET /api/v2/events/:id': I('events:read', 'checked'),
  'DELETE /api/v2/events/cleanup': I('events:delete'),

  'GET /api/v2/persons': I('persons:read'),
  'GET /api/v2/persons/:id': I('persons:read'),
  'GET /api/v2/persons/:id/presence': I('persons:read'),
  'POST /api/v2/persons/link': I('persons:write'),
  'POST /api/v2/persons/unlink': I('persons:write'),
  'POST /api/v2/persons/merge': I('persons:write'),

  'GET /api/v2/access/rules': I('access:read'),
  'POST /api/v2/access/rules': I('access:write'),
  'GET /api/v2/access/rules/:id': I('access:read'),
  'PATCH /api/v2/access/rules/:id': I('access:write'),
  'PUT /api/v2/access/rules/:id': I('access:write'),
  'DELETE /api/v2/access/rules/:id': I('access:write'),
  'POST /api/v2/access/check': I('access:read'),

  'GET /api/v2/providers': I('providers:read'),
  'POST /api/v2/providers': I('providers:write'),
  'GET /api/v2/providers/:id': I('providers:read'),
  'PATCH /api/v2/providers/:id': I('providers:write'),
  'PUT /api/v2/providers/:id': I('providers:write'),
  'DELETE /api/v2/providers/:id': I('providers:write'),
  'POST /api/v2/providers/:id/health': I('providers:read'),
  'GET /api/v2/providers/:id/agents': I('providers:read'),

  'GET /api/v2/plugins': I('instances:read', 'none'),
  'GET /api/v2/plugins/:id': I('instances:read', 'none'),
  'POST /api/v2/plugins/:id/enable': I('admin:plugins'),
  'POST /api/v2/plugins/:id/disable': I('admin:plugins'),

  'GET /api/v2/settings': I('settings:read'),
  'PATCH /api/v2/settings': I('settings:write'),
  'GET /api/v2/settings/schema': I('settings:read'),
  'GET /api/v2/settings/:key': I('settings:read'),
  'PUT /api/v2/settings/:key': I('settings:write'),
  'DELETE /api/v2/settings/:key': I('settings:write'),
  'GET /api/v2/settings/:key/history': I('settings:read'),

  'GET /api/v1/instances': I('instances:read', 'filtered'),
  'GET /api/v1/instances/:name': I('instances:read', 'checked'),
  'GET /api/v1/instances/:name/qr': I('instances:read', 'checked'),
  'POST /api/v1/instance/:name/send-text': I('messages:send', 'checked'),
  'POST /api/v1/instances/:name/send-text': I('messages:send', 'checked'),
  'GET /api/v1/traces': I('events:read', 'filtered'),
  'GET /api/v1/users': I('persons:read'),
  'GET /api/v1/settings': I('settings:read'),

  'GET /api/v2/api-keys': I('admin:keys'),
  'POST /api/v2/api-keys': I('admin:keys'),
  'GET /api/v2/api-keys/:id': I('admin:keys'),
  'PATCH /api/v2/api-keys/:id': I('admin:keys'),
  'DELETE /api/v2/api-keys/:id': I('admin:keys'),
  'POST /api/v2/api-keys/:id/regenerate': I('admin:keys'),
  'GET /api/v2/api-keys/:id/audit': I('admin:keys'),
};

/** Webhook paths of every method and the v1 layer's paths are matched by prefix. */
const PREFIX_POLICY: Array<[RegExp, Policy]> = [[/^[A-Z]+ \/api\/v2\/webhooks\//, 'webhook']];

/** The route with its scope and instance location filled in from the policy; throws for an unguarded route. */
export function withPolicy(route: RouteDefinition): RouteDefinition {
  if (route.public || route.internal || route.scope) return route;
  const id = `${route.method.toUpperCase()} ${route.path}`;
  const policy = POLICY[id] ?? PREFIX_POLICY.find(([re]) => re.test(id))?.[1];
  if (!policy) throw new Error(`route ${id} has no access policy: give it a scope (core/src/auth/route-policy.ts) or mark it public`);
  if (policy === 'public') return { ...route, public: true };
  if (policy === 'webhook') return { ...route, public: true, rateLimited: false };
  return { ...route, scope: policy.scope, ...(policy.instance ? { instance: route.instance ?? policy.instance } : {}) };
}
