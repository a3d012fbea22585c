import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentWebhookPlugin from './index.js';

describe('agent-webhook plugin in a kernel', () => {
  let tk: TestKernel;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [agentWebhookPlugin] });
  });
  afterAll(() => tk?.stop());

  it('runs and registers the webhook provider with the capabilities it declares', async () => {
    const res = await tk.http.get('/api/v2/plugins/agent-webhook');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'agent-webhook', version: agentWebhookPlugin.version, kind: 'agent-provider', status: 'running' });
    const registered = tk.kernel.agentProviders.get('webhook');
    expect(registered).toMatchObject({ pluginId: 'agent-webhook', capabilities: { streaming: false, listAgents: false, health: false } });
    expect(registered?.capabilities).toEqual(agentWebhookPlugin.capabilities);
  });
});
