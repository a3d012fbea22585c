import { z } from 'zod';
import { OmniError, isAgentCallError } from '@omni/plugin-sdk';
import type { AgentProviderRecord } from '../../db/entities/agent-provider.js';
import { keepMaskedSecrets, maskSecret } from '../../instances/instance-config.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { idParam } from '../query-params.js';
import { defineRoute } from '../route.js';

export const providerSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string(),
  apiUrl: z.string(),
  apiKey: z.string().nullable().describe('masked'),
  defaultAgentId: z.string().nullable(),
  defaultTimeout: z.number(),
  defaultStreaming: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  /** Whether a running plugin implements this type. */
  available: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const fields = {
  name: z.string().trim().min(1).max(100),
  type: z.string().min(1).max(64).describe('agent_api, webhook, agno, … (a running agent-provider plugin type)'),
  apiUrl: z.string().url().max(2048),
  apiKey: z.string().max(4096).nullable(),
  defaultAgentId: z.string().max(256).nullable(),
  defaultTimeout: z.number().int().min(100).max(600_000),
  defaultStreaming: z.boolean(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
};
const createBody = z.strictObject({
  ...fields,
  apiKey: fields.apiKey.optional(),
  defaultAgentId: fields.defaultAgentId.optional(),
  defaultTimeout: fields.defaultTimeout.default(60_000),
  defaultStreaming: fields.defaultStreaming.default(false),
  metadata: fields.metadata.optional(),
});
const patchBody = z.strictObject(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> });

export const providerRoutes = (kernel: Kernel) => {
  const repo = kernel.providerRecords;
  const view = (p: AgentProviderRecord) => ({
    ...p,
    apiKey: p.apiKey ? maskSecret(p.apiKey) : null,
    available: kernel.agentProviders.get(p.type) !== undefined,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  });
  const find = async (id: string) => {
    const p = await repo.get(id);
    if (!p) throw new OmniError('NOT_FOUND', `provider '${id}' not found`);
    return p;
  };
  const targetOf = (p: AgentProviderRecord, timeoutMs = p.defaultTimeout) => ({ apiUrl: p.apiUrl, apiKey: p.apiKey ?? undefined, agentId: p.defaultAgentId ?? undefined, timeoutMs, streaming: false, metadata: p.metadata ?? undefined });
  const pluginFor = (p: AgentProviderRecord) => {
    const registered = kernel.agentProviders.get(p.type);
    if (!registered) throw new OmniError('SERVICE_UNAVAILABLE', `no running agent-provider plugin for type '${p.type}'`);
    return registered.provider;
  };
  const requireType = (type: string) => {
    if (!kernel.agentProviders.get(type)) {
      throw new OmniError('VALIDATION_ERROR', `unknown provider type '${type}'`, { details: [{ in: 'body', path: 'type', message: `available: ${kernel.agentProviders.list().map((p) => p.descriptor.type).join(', ') || 'none'}` }] });
    }
  };

  return [
    defineRoute({ method: 'get', path: '/api/v2/providers', summary: 'List agent providers', tags: ['providers'], response: z.object({ items: z.array(providerSchema) }), handler: async () => ({ items: (await repo.list()).map(view) }) }),
    defineRoute({
      method: 'post',
      path: '/api/v2/providers',
      summary: 'Create an agent provider',
      tags: ['providers'],
      body: createBody,
      status: 201,
      response: providerSchema,
      handler: async ({ body }) => {
        requireType(body.type);
        return view(await repo.create({ ...body, apiKey: body.apiKey ?? null, defaultAgentId: body.defaultAgentId ?? null, metadata: body.metadata ?? null }));
      },
    }),
    defineRoute({ method: 'get', path: '/api/v2/providers/:id', summary: 'Get an agent provider', tags: ['providers'], params: idParam, response: providerSchema, handler: async ({ params }) => view(await find(params.id)) }),
    defineRoute({
      method: 'patch',
      path: '/api/v2/providers/:id',
      summary: 'Update an agent provider; a masked apiKey sent back is kept',
      tags: ['providers'],
      params: idParam,
      body: patchBody,
      response: providerSchema,
      handler: async ({ params, body }) => {
        const current = await find(params.id);
        if (body.type) requireType(body.type);
        const patch = keepMaskedSecrets(body, { apiKey: current.apiKey }, ['apiKey']);
        return view(await repo.update(params.id, patch));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/providers/:id',
      summary: 'Delete an agent provider',
      tags: ['providers'],
      params: idParam,
      response: z.object({ success: z.literal(true) }),
      handler: async ({ params }) => {
        if (!(await repo.delete(params.id))) throw new OmniError('NOT_FOUND', `provider '${params.id}' not found`);
        return { success: true as const };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/providers/:id/health',
      summary: "Check that the provider's agent API answers",
      tags: ['providers'],
      params: idParam,
      response: z.object({ healthy: z.boolean(), latency: z.number(), error: z.string().optional() }),
      handler: async ({ params }) => {
        const record = await find(params.id);
        const provider = pluginFor(record);
        const started = performance.now();
        const latency = () => Math.round(performance.now() - started);
        if (!provider.health) return { healthy: false, latency: 0, error: `provider type '${record.type}' has no health check` };
        try {
          const result = await provider.health(targetOf(record, 10_000), AbortSignal.timeout(10_000));
          return { ...result, latency: latency() };
        } catch (err) {
          return { healthy: false, latency: latency(), error: isAgentCallError(err) ? `${err.code}: ${err.message}` : String(err) };
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/providers/:id/agents',
      summary: 'List the agents a provider offers',
      tags: ['providers'],
      params: idParam,
      response: z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), description: z.string().optional() })) }),
      handler: async ({ params }) => {
        const record = await find(params.id);
        const provider = pluginFor(record);
        if (!provider.listAgents) throw new OmniError('CAPABILITY_NOT_SUPPORTED', `provider type '${record.type}' cannot list agents`);
        try {
          return { items: await provider.listAgents(targetOf(record, 10_000), AbortSignal.timeout(10_000)) };
        } catch (err) {
          throw new OmniError('PLATFORM_ERROR', `the agent API did not list its agents: ${isAgentCallError(err) ? err.message : String(err)}`);
        }
      },
    }),
  ];
};
