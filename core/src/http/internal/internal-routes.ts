import { totalmem } from 'node:os';
import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import { KNOWN_EVENT_DOMAINS } from '../../events/jetstream-streams.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { computeHealth } from '../../kernel/health.js';
import { defineRoute, type RouteDefinition } from '../route.js';
import { channelStartupInfo, channelStartupInfoSchema } from './channel-startup-info.js';
import { loopbackGuard } from './loopback-guard.js';
import { SERVICE_HEALTH, SERVICE_TYPES, ServiceRegistry } from './service-registry.js';
import { setupStatus, setupStatusSchema } from './setup-status.js';
import { subprocessConfig, subprocessConfigSchema } from './subprocess-config.js';

export const INTERNAL_PREFIX = '/api/v2/_internal';

/** Event domains only the hub itself publishes: forwarding them would forge core events. */
const CORE_EVENT_DOMAINS: ReadonlySet<string> = new Set(KNOWN_EVENT_DOMAINS);

export const internalHealthSchema = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  service: z.literal('omni'),
  timestamp: z.iso.datetime(),
  uptime: z.number().describe('seconds since start'),
  memory: z.object({
    used: z.number().describe('resident set size, bytes'),
    total: z.number().describe("the machine's memory, bytes"),
    percentage: z.number(),
    heapUsed: z.number(),
    heapTotal: z.number(),
  }),
  checks: z.object({
    database: z.boolean(),
    eventBus: z.boolean(),
    channels: z.record(z.string(), z.boolean()),
    plugins: z.record(z.string(), z.boolean()).describe('true when running'),
  }),
});

const registrationSchema = z.strictObject({
  name: z.string().min(1).max(128),
  type: z.enum(SERVICE_TYPES),
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65_535).optional(),
  healthEndpoint: z.url().max(2048).optional(),
  capabilities: z.strictObject({ channels: z.array(z.string().max(64)).max(100).optional(), mediaTypes: z.array(z.string().max(128)).max(100).optional() }).optional(),
  metadata: z.record(z.string().max(128), z.json()).optional(),
});

const serviceId = z.uuid();

const registeredServiceSchema = z.object({
  serviceId: z.string(),
  name: z.string(),
  type: z.enum(SERVICE_TYPES),
  pid: z.number(),
  port: z.number().optional(),
  healthEndpoint: z.string().optional(),
  status: z.enum(SERVICE_HEALTH),
  heartbeatIntervalMs: z.number(),
  registeredAt: z.iso.datetime(),
  lastHeartbeatAt: z.iso.datetime(),
});

const eventType = z
  .string()
  .max(128)
  .regex(/^[a-z][a-z0-9_-]*\.[a-z0-9_.-]+$/, 'event types look like <domain>.<action>')
  .refine((t) => !CORE_EVENT_DOMAINS.has(t.split('.')[0]!), 'events of core domains are published by the hub only');

const forwardBodySchema = z.strictObject({
  event: z.strictObject({
    id: z.string().min(1).max(128).optional().describe('Makes forwarding idempotent'),
    type: eventType,
    payload: z.record(z.string(), z.json()),
    metadata: z
      .strictObject({
        instanceId: z.string().min(1).max(64).optional(),
        channel: z.string().min(1).max(64).optional(),
        traceId: z.string().regex(/^[0-9a-f]{32}$/, 'a traceId is 32 lowercase hex digits').optional(),
        correlationId: z.string().min(1).max(128).optional(),
      })
      .optional(),
  }),
});

export interface InternalRouteOptions {
  /** Default: a fresh in-memory registry. */
  services?: ServiceRegistry;
}

/** `/api/v2/_internal/*` (seed 001): for processes on this machine only; no API key, the loopback guard decides. */
export function internalRoutes(kernel: Kernel, options: InternalRouteOptions = {}): RouteDefinition[] {
  const admit = loopbackGuard(kernel.config.trustedProxies);
  const services = options.services ?? new ServiceRegistry();
  const internal = { internal: true as const, admit, tags: ['internal'] };
  const uptime = () => Math.round((Date.now() - kernel.startedAt.getTime()) / 1000);

  return [
    defineRoute({
      ...internal,
      method: 'get',
      path: `${INTERNAL_PREFIX}/subprocess-config`,
      summary: 'What a helper process needs to join this hub (no secrets)',
      response: subprocessConfigSchema,
      handler: () => subprocessConfig(kernel),
    }),
    defineRoute({
      ...internal,
      method: 'get',
      path: `${INTERNAL_PREFIX}/channel-startup-info`,
      summary: 'Which channels have instances to connect, and how to pace their start',
      response: channelStartupInfoSchema,
      handler: () => channelStartupInfo(kernel),
    }),
    defineRoute({
      ...internal,
      method: 'get',
      path: `${INTERNAL_PREFIX}/health`,
      summary: 'Health with memory and uptime; 503 when unhealthy',
      response: internalHealthSchema,
      handler: async ({ ctx }) => {
        const health = await computeHealth(kernel);
        if (health.status === 'unhealthy') ctx.status = 503;
        const memory = process.memoryUsage();
        const total = totalmem();
        return {
          status: health.status,
          service: 'omni' as const,
          timestamp: new Date().toISOString(),
          uptime: uptime(),
          memory: { used: memory.rss, total, percentage: Math.round((memory.rss / total) * 10_000) / 100, heapUsed: memory.heapUsed, heapTotal: memory.heapTotal },
          checks: {
            database: health.checks.database.status === 'ok',
            eventBus: health.checks.eventBus.status === 'ok',
            channels: Object.fromEntries(Object.keys(health.checks.channels).map((id) => [id, true])),
            plugins: Object.fromEntries(Object.entries(health.checks.plugins).map(([id, p]) => [id, p.status === 'running'])),
          },
        };
      },
    }),
    defineRoute({
      ...internal,
      method: 'get',
      path: `${INTERNAL_PREFIX}/setup/status`,
      summary: 'Whether first-run setup is still needed, and its next step',
      response: setupStatusSchema,
      handler: () => setupStatus(kernel),
    }),
    defineRoute({
      ...internal,
      method: 'get',
      path: `${INTERNAL_PREFIX}/services`,
      summary: 'Registered helper services that are still sending heartbeats',
      response: z.object({ items: z.array(registeredServiceSchema) }),
      handler: () => ({
        items: services.list().map((s) => ({
          serviceId: s.serviceId,
          name: s.name,
          type: s.type,
          pid: s.pid,
          ...(s.port === undefined ? {} : { port: s.port }),
          ...(s.healthEndpoint === undefined ? {} : { healthEndpoint: s.healthEndpoint }),
          status: s.status,
          heartbeatIntervalMs: s.heartbeatIntervalMs,
          registeredAt: s.registeredAt.toISOString(),
          lastHeartbeatAt: s.lastHeartbeatAt.toISOString(),
        })),
      }),
    }),
    defineRoute({
      ...internal,
      method: 'post',
      path: `${INTERNAL_PREFIX}/services/register`,
      summary: 'A helper service announces itself; it must then send heartbeats',
      body: registrationSchema,
      response: z.object({ success: z.literal(true), serviceId: z.string(), heartbeatIntervalMs: z.number().int() }),
      status: 201,
      handler: async ({ body }) => {
        const service = services.register(body, await kernel.settings.get('services.heartbeat_interval_ms'));
        return { success: true as const, serviceId: service.serviceId, heartbeatIntervalMs: service.heartbeatIntervalMs };
      },
    }),
    defineRoute({
      ...internal,
      method: 'post',
      path: `${INTERNAL_PREFIX}/services/heartbeat`,
      summary: 'A registered service is alive; 404 when it expired and must register again',
      body: z.strictObject({
        serviceId,
        status: z.enum(SERVICE_HEALTH),
        metrics: z.record(z.string().max(64), z.number()).optional(),
      }),
      response: z.object({ acknowledged: z.literal(true), commands: z.array(z.object({ type: z.enum(['shutdown', 'restart', 'scale']), data: z.unknown().optional() })) }),
      handler: ({ body }) => {
        services.heartbeat(body.serviceId, body.status, body.metrics);
        return { acknowledged: true as const, commands: [] };
      },
    }),
    defineRoute({
      ...internal,
      method: 'post',
      path: `${INTERNAL_PREFIX}/services/deregister`,
      summary: 'A service stops',
      body: z.strictObject({ serviceId, reason: z.string().max(500).optional() }),
      response: z.object({ success: z.literal(true) }),
      handler: ({ body }) => {
        const service = services.deregister(body.serviceId);
        kernel.logger.info({ service: service.name, serviceId: service.serviceId, reason: body.reason }, 'internal service deregistered');
        return { success: true as const };
      },
    }),
    defineRoute({
      ...internal,
      method: 'post',
      path: `${INTERNAL_PREFIX}/events/forward`,
      summary: 'Publish an event of a non-core domain on the event bus, for every subscriber',
      body: forwardBodySchema,
      response: z.object({ accepted: z.literal(true), eventId: z.string() }),
      status: 202,
      handler: async ({ body }) => {
        const { id, type, payload, metadata } = body.event;
        const published = await kernel.events
          .publish(type as never, payload as never, { ...metadata, ...(id ? { id } : {}) })
          .catch((err: unknown) => {
            kernel.logger.warn({ err, type }, 'could not forward an internal event');
            throw new OmniError('SERVICE_UNAVAILABLE', 'the event bus did not take the event; retry');
          });
        return { accepted: true as const, eventId: published.id };
      },
    }),
  ];
}
