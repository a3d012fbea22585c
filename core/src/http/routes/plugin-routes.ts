import { z } from 'zod';
import { OmniError, PLUGIN_KINDS } from '@omni/plugin-sdk';
import type { Kernel } from '../../kernel/create-kernel.js';
import { defineRoute } from '../route.js';

export const pluginInfoSchema = z.object({
  id: z.string(),
  version: z.string().optional(),
  kind: z.enum(PLUGIN_KINDS).optional(),
  description: z.string().optional(),
  source: z.string(),
  status: z.enum(['loaded', 'starting', 'running', 'failed', 'disabled', 'stopping', 'stopped']),
  enabled: z.boolean(),
  dependsOn: z.array(z.string()),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }).optional(),
  startedAt: z.string().optional(),
});

const idParams = z.object({ id: z.string().min(1).max(200) });

export const pluginRoutes = (kernel: Kernel) => {
  const find = (id: string) => {
    const info = kernel.plugins.get(id);
    if (!info) throw new OmniError('NOT_FOUND', `plugin '${id}' not found`);
    return info;
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/plugins',
      summary: 'Every discovered plugin with its status and, when it is not running, why',
      tags: ['plugins'],
      response: z.object({ items: z.array(pluginInfoSchema) }),
      handler: () => ({ items: kernel.plugins.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/plugins/:id',
      summary: 'One plugin',
      tags: ['plugins'],
      params: idParams,
      response: pluginInfoSchema,
      handler: ({ params }) => find(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/plugins/:id/disable',
      summary: 'Stop a plugin (and the plugins that depend on it) and keep it off across restarts',
      tags: ['plugins'],
      params: idParams,
      response: pluginInfoSchema,
      handler: ({ params }) => kernel.plugins.disable(find(params.id).id),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/plugins/:id/enable',
      summary: 'Turn a disabled plugin back on and start it',
      tags: ['plugins'],
      params: idParams,
      response: pluginInfoSchema,
      handler: ({ params }) => kernel.plugins.enable(find(params.id).id),
    }),
  ];
};
