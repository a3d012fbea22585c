import { z } from 'zod';
import { OmniError, type WebhookRequest } from '@omni/plugin-sdk';
import type { Context } from 'koa';
import type { Kernel } from '../../kernel/create-kernel.js';
import { defineRoute } from '../route.js';

const params = z.object({ channel: z.string().regex(/^[a-z][a-z0-9-]*$/).max(64), instanceId: z.string().min(1).max(64) });

const flatten = (record: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));

/** Platform webhooks: the instance's channel plugin verifies and answers them. */
export const webhookRoutes = (kernel: Kernel) => {
  const handler = async (ctx: Context) => {
    const { channel: channelId, instanceId } = params.parse(ctx.params);
    const channel = kernel.channels.get(channelId);
    const instance = await kernel.instanceRepository.get(instanceId);
    // One answer for "no such channel", "no such instance" and "wrong channel": nothing to probe.
    if (!channel || !instance || instance.channel !== channelId) throw new OmniError('NOT_FOUND', 'no such webhook');
    if (!channel.adapter.handleWebhook) throw new OmniError('NOT_FOUND', `channel '${channelId}' takes no webhooks`);
    const request: WebhookRequest = {
      method: ctx.method,
      headers: flatten(ctx.headers),
      query: flatten(ctx.query as Record<string, string | string[] | undefined>),
      rawBody: ctx.request.rawBody ?? Buffer.alloc(0),
      body: ctx.request.body,
    };
    const response = await channel.adapter.handleWebhook(instance.id, request);
    ctx.status = response.status;
    if (response.headers) ctx.set(response.headers);
    ctx.body = response.body ?? '';
  };
  return (['get', 'post'] as const).map((method) =>
    defineRoute({
      method,
      path: '/api/v2/webhooks/:channel/:instanceId',
      summary: `Platform webhook (${method.toUpperCase()}), verified and answered by the channel plugin`,
      tags: ['webhooks'],
      public: true,
      // Refusing a platform's delivery for rate would lose messages; platforms pace themselves.
      rateLimited: false,
      raw: true,
      params,
      handler,
    }),
  );
};
