import { startTestKernel, type TestKernel } from '@omni/plugin-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agnoPlugin from './index.js';

describe('agent-agno plugin in a kernel', () => {
  let tk: TestKernel;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [agnoPlugin] });
  });
  afterAll(() => tk?.stop());

  it('runs and registers the agno provider with the capabilities it declares', async () => {
    const res = await tk.http.get('/api/v2/plugins/agent-agno');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'agent-agno', version: agnoPlugin.version, kind: 'agent-provider', status: 'running' });
    const registered = tk.kernel.agentProviders.get('agno');
    expect(registered).toMatchObject({ pluginId: 'agent-agno', capabilities: { streaming: true, listAgents: true, health: true } });
    expect(registered?.capabilities).toEqual(agnoPlugin.capabilities);
  });
});
