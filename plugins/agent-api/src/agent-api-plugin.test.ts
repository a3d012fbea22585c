import { startCaptureServer, startTestKernel, type CaptureServer, type TestKernel } from '@omni/plugin-sdk/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import agentApiPlugin from './index.js';

describe('agent-api plugin in a kernel', () => {
  let tk: TestKernel;
  let agent: CaptureServer;

  beforeAll(async () => {
    agent = await startCaptureServer(() => ({ body: { text: 'from the agent' } }));
    tk = await startTestKernel({ plugins: [agentApiPlugin] });
  });
  afterAll(async () => {
    await tk?.stop();
    await agent?.close();
  });

  it('runs and registers the agent_api provider with the capabilities it declares', async () => {
    const res = await tk.http.get('/api/v2/plugins/agent-api');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'agent-api', version: agentApiPlugin.version, kind: 'agent-provider', status: 'running' });
    const registered = tk.kernel.agentProviders.get('agent_api');
    expect(registered).toMatchObject({ pluginId: 'agent-api', capabilities: { streaming: false, listAgents: true, health: true } });
    expect(registered?.capabilities).toEqual(agentApiPlugin.capabilities);
  });

  it('serves calls through the registered provider', async () => {
    const provider = tk.kernel.agentProviders.get('agent_api')!.provider;
    const reply = await provider.call(
      { apiUrl: agent.url, timeoutMs: 5_000, streaming: false },
      {
        message: 'hi',
        messageType: 'text',
        sessionId: 's',
        sessionName: 'n',
        userId: 'u',
        user: { platformUserId: 'p' },
        instance: { id: 'i', name: 'main', channel: 'webhook' },
        chat: { id: 'c', type: 'dm' },
        context: {},
      },
      new AbortController().signal,
    );
    expect(reply).toEqual({ text: 'from the agent' });
    expect((await agent.next()).path).toBe('/api/agent/chat');
  });
});
