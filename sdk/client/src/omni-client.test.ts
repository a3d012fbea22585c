import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { startTestKernel, stubChannel, waitFor, type TestKernel } from '@omni/plugin-sdk/testing';
import { createOmniClient, OmniApiError, unwrap, type AccessRule, type Health, type OmniClient, type RequestBody } from './index.js';

describe('createOmniClient against a running hub', () => {
  const stub = stubChannel({ id: 'sdkstub' });
  let tk: TestKernel;
  let client: OmniClient;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [stub.plugin] });
    client = createOmniClient({ baseUrl: tk.url, apiKey: tk.apiKey });
  });
  afterAll(() => tk?.stop());

  const createInstance = (name: string) => client.instances.create({ name, channel: 'sdkstub', connect: true });

  it('creates, reads, updates and lists an instance, and drives its connection', async () => {
    const created = await createInstance('sdk-instance');
    expect(created).toMatchObject({ name: 'sdk-instance', channel: 'sdkstub' });
    await waitFor('instance connected', async () => (await client.instances.status(created.id)).state === 'connected');
    expect(await client.instances.get(created.id)).toMatchObject({ id: created.id, name: 'sdk-instance' });
    expect(await client.instances.update(created.id, { name: 'sdk-renamed' })).toMatchObject({ id: created.id, name: 'sdk-renamed' });
    const { items } = await client.instances.list();
    expect(items.map((i) => i.id)).toContain(created.id);

    await client.instances.disconnect(created.id);
    await waitFor('instance disconnected', async () => (await client.instances.status(created.id)).state !== 'connected');
    await client.instances.connect(created.id);
    await waitFor('instance reconnected', async () => (await client.instances.status(created.id)).state === 'connected');
  });

  it('sends a text message through the channel and finds its events', async () => {
    const instance = await createInstance('sdk-sender');
    await waitFor('instance connected', async () => (await client.instances.status(instance.id)).state === 'connected');

    const sent = await client.messages.sendText({ instanceId: instance.id, to: 'user-1', text: 'hello from @omni/client' });
    expectTypeOf(sent.status).toEqualTypeOf<'sent'>();
    expect(sent).toMatchObject({ status: 'sent', externalMessageId: expect.stringMatching(/^stub-/) });
    expect(stub.sent).toContainEqual(expect.objectContaining({ instanceId: instance.id, message: expect.objectContaining({ to: 'user-1' }) }));

    const event = await waitFor('the sent event is stored', async () =>
      (await client.events.list({ instanceId: instance.id })).items.find((e) => e.eventType === 'message.sent'),
    );
    expect(event).toMatchObject({ instanceId: instance.id, direction: 'outbound', channel: 'sdkstub' });
    expect(await client.events.get(event.id)).toMatchObject({ id: event.id, eventType: 'message.sent' });
    const analytics = await client.events.analytics({ instanceId: instance.id });
    expect(analytics).toBeTypeOf('object');
  });

  it('creates, lists and deletes an access rule', async () => {
    const rule = await client.access.rules.create({ type: 'deny', criteria: { platformUserId: 'spammer-*' }, reason: 'sdk test' });
    expectTypeOf(rule).toEqualTypeOf<AccessRule>();
    expectTypeOf<RequestBody<'/api/v2/access/rules', 'post'>['type']>().toEqualTypeOf<'allow' | 'deny'>();
    expect(rule).toMatchObject({ type: 'deny', reason: 'sdk test' });
    expect((await client.access.rules.list()).items.map((r) => r.id)).toContain(rule.id);
    await client.access.rules.delete(rule.id);
    await expect(client.access.rules.get(rule.id)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('creates an API key and uses it within its scopes only', async () => {
    const created = await client.apiKeys.create({ name: 'sdk-readonly', scopes: ['instances:read'] });
    expect(created.key).toEqual(expect.any(String));
    const limited = createOmniClient({ baseUrl: tk.url, apiKey: created.key });
    await expect(limited.instances.list()).resolves.toMatchObject({ items: expect.any(Array) });
    const denied = await limited.apiKeys.list().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OmniApiError);
    expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' });

    await client.apiKeys.delete(created.id);
    await expect(limited.instances.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('maps error envelopes to OmniApiError: 404, 400 with per-field details, 422, 401', async () => {
    const missing = await client.instances.get('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OmniApiError);
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND', message: expect.any(String) });

    await expect(client.messages.sendText({ instanceId: 'x', to: '', text: '' })).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_ERROR',
      details: expect.arrayContaining([expect.objectContaining({ in: 'body', path: 'text' })]),
    });

    const instance = await createInstance('sdk-text-only');
    await waitFor('instance connected', async () => (await client.instances.status(instance.id)).state === 'connected');
    await expect(client.messages.sendLocation({ instanceId: instance.id, to: 'user-1', latitude: 1, longitude: 2 })).rejects.toMatchObject({
      status: 422,
      code: 'CAPABILITY_NOT_SUPPORTED',
      details: { missing: ['send:location'] },
    });

    await expect(createOmniClient({ baseUrl: tk.url }).info()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('exposes the typed openapi-fetch client as raw, sending the API key', async () => {
    expectTypeOf(client.health).returns.resolves.toEqualTypeOf<Health>();
    const { data, error, response } = await client.raw.GET('/api/v2/channels/{id}', { params: { path: { id: 'sdkstub' } } });
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ id: 'sdkstub', pluginId: 'stub-sdkstub' });
    await expect(unwrap(client.raw.GET('/api/v2/plugins/{id}', { params: { path: { id: 'no-such-plugin' } } }))).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
