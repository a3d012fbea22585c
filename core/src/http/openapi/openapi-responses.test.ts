import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin, type ChannelInstance } from '@omni/plugin-sdk';
import { startTestKernel, TestHttpClient, type TestKernel, type TestResponse } from '@omni/plugin-sdk/testing';
import { createHttpApp } from '../create-http-app.js';
import type { RouteDefinition } from '../route.js';
import { toOpenApiPath } from './build-openapi-document.js';
import { deref, documentSchemaValidator } from './openapi-structure.js';

/** A channel that sends nowhere and lets the test deliver inbound messages through its instance. */
const instancesById = new Map<string, ChannelInstance>();
const probeChannel = definePlugin({
  id: 'channel-probe',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  channel: { id: 'probe', name: 'Probe', description: 'test channel', instanceConfig: z.object({ greeting: z.string().optional() }) },
  capabilities: { content: { send: ['text'], receive: ['text'] }, features: [], auth: ['token'], limits: { maxTextLength: 1000, maxFileSize: 1 }, events: ['message.received'] },
  setup: () => ({
    adapter: {
      connect: async (instance) => {
        instancesById.set(instance.id, instance);
        instance.setStatus({ state: 'connected' });
      },
      disconnect: async () => undefined,
      send: async (_instanceId, message) => ({ ok: true as const, externalId: `ext-${message.id}` }),
    },
  }),
});

const probeAgent = definePlugin({
  id: 'agent-probe',
  version: '1.0.0',
  kind: 'agent-provider',
  description: 'test agent provider',
  compat: { sdk: '^1.0.0' },
  provider: { type: 'probe-agent', name: 'Probe agent', description: 'answers nothing' },
  capabilities: { streaming: false, listAgents: true, health: true },
  setup: () => ({
    provider: {
      call: async () => ({ text: '' }),
      health: async () => ({ healthy: true }),
      listAgents: async () => [{ id: 'a1', name: 'Agent one' }],
    },
  }),
});

type Json = Record<string, any>;

describe('live responses agree with the OpenAPI document', () => {
  let tk: TestKernel;
  let doc: Json;
  let routes: readonly RouteDefinition[];
  const checked = new Set<string>();

  beforeAll(async () => {
    // Rate limiting on (with room to spare), so the documented X-RateLimit-* headers are sent.
    tk = await startTestKernel({ plugins: [probeChannel, probeAgent], kernel: { rateLimit: 100_000 } });
    // The same composition the running server mounted, for the zod schemas behind each operation.
    routes = createHttpApp(tk.kernel).routes;
    const res = await tk.http.get('/api/v2/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => tk?.stop());

  const routeOf = (method: string, template: string) => routes.find((r) => r.method === method && toOpenApiPath(r.path) === template);

  /**
   * The answer's status is one the operation documents, its body validates against the documented
   * schema (read back from the document's JSON Schema) and against the route's own zod schema, and
   * the documented headers are there.
   */
  function expectDocumented(res: TestResponse, method: string, template: string) {
    const where = `${method.toUpperCase()} ${template} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    const operation = doc.paths[template]?.[method];
    expect(operation, `${where}: not in the document`).toBeDefined();
    const response = deref(doc, operation.responses[String(res.status)]) as Json | undefined;
    expect(response, `${where}: status not documented`).toBeDefined();
    const schema = response!.content?.['application/json']?.schema;
    expect(schema, `${where}: no JSON schema documented`).toBeDefined();
    const documented = documentSchemaValidator(doc, schema).safeParse(res.body);
    expect(documented.error?.issues, `${where}: body does not match the document`).toBeUndefined();
    const route = routeOf(method, template);
    if (res.status < 400 && route && !('raw' in route)) {
      expect((route.response as z.ZodType).safeParse(res.body).error?.issues, `${where}: body does not match the route's zod schema`).toBeUndefined();
    }
    for (const header of Object.keys(response!.headers ?? {})) expect(res.headers.get(header), `${where}: header ${header}`).not.toBeNull();
    checked.add(`${method} ${template}`);
    return res.body as Json;
  }
  const call = async (method: 'get' | 'post' | 'patch' | 'delete', template: string, values: Record<string, string> = {}, body?: unknown) => {
    const url = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
    return expectDocumented(await tk.http.request(method.toUpperCase(), url, { body }), method, template);
  };

  it('the validator reads the document strictly enough to fail', () => {
    const schema = doc.paths['/api/v2/instances/{id}'].get.responses['200'].content['application/json'].schema;
    const validator = documentSchemaValidator(doc, schema);
    const good = { id: 'i', name: 'n', channel: 'probe', channelConfig: {}, agent: null, messaging: {}, media: {}, isActive: true, status: 'connected', createdAt: 'x', updatedAt: 'x' };
    expect(validator.safeParse(good).success).toBe(true);
    expect(validator.safeParse({ ...good, status: 'sleeping' }).success).toBe(false);
    expect(validator.safeParse({ ...good, isActive: 'yes' }).success).toBe(false);
    const { name: _name, ...missing } = good;
    expect(validator.safeParse(missing).success).toBe(false);
    // Responses are documented as exactly their fields: an extra one (a leaked secret, say) fails.
    expect(validator.safeParse({ ...good, apiKey: 'sk-live' }).success).toBe(false);
    const envelope = documentSchemaValidator(doc, { $ref: '#/components/schemas/ErrorEnvelope' });
    expect(envelope.safeParse({ error: { code: 'NOT_FOUND', message: 'x' } }).success).toBe(true);
    expect(envelope.safeParse({ message: 'x' }).success).toBe(false);
  });

  it('system, channels and plugins', async () => {
    expectDocumented(await new TestHttpClient(tk.url).get('/api/v2/health'), 'get', '/api/v2/health');
    await call('get', '/api/v2/info');
    const channels = await call('get', '/api/v2/channels');
    expect(channels.items.map((c: Json) => c.id)).toContain('probe');
    await call('get', '/api/v2/channels/{id}', { id: 'probe' });
    await call('get', '/api/v2/instances/supported-channels');
    const plugins = await call('get', '/api/v2/plugins');
    expect(plugins.items.length).toBeGreaterThanOrEqual(2);
    await call('get', '/api/v2/plugins/{id}', { id: 'channel-probe' });
  });

  it('instances, messages, events and persons', async () => {
    const created = await call('post', '/api/v2/instances', {}, { name: 'openapi-probe', channel: 'probe', channelConfig: { greeting: 'hi' } });
    const id = created.id as string;
    const list = await call('get', '/api/v2/instances');
    expect(list.items.map((i: Json) => i.id)).toContain(id);
    await call('get', '/api/v2/instances/{id}', { id });
    await call('patch', '/api/v2/instances/{id}', { id }, { name: 'openapi-probe-2' });
    await call('get', '/api/v2/instances/{id}/status', { id });
    await call('get', '/api/v2/instances/{id}/qr', { id }); // 422: the probe does not pair by QR

    const sent = await call('post', '/api/v2/messages', {}, { instanceId: id, to: 'user-1', text: 'hello' });
    expect(sent.status).toBe('sent');

    const instance = instancesById.get(id);
    expect(instance, 'the probe channel was connected').toBeDefined();
    await instance!.receive({ externalId: 'in-1', chatId: 'chat-1', sender: { id: 'user-1', name: 'Ana' }, content: { type: 'text', text: 'hi there' } });

    const events = await call('get', '/api/v2/events');
    expect(events.items.length).toBeGreaterThanOrEqual(2);
    await call('get', '/api/v2/events/{id}', { id: events.items[0].id });
    await call('get', '/api/v2/events/analytics');
    await call('get', '/api/v2/events/by-sender/{senderId}', { senderId: 'user-1' });

    const persons = await call('get', '/api/v2/persons');
    expect(persons.items.length).toBeGreaterThanOrEqual(1);
    await call('get', '/api/v2/persons/{id}', { id: persons.items[0].id });
    await call('get', '/api/v2/persons/{id}/presence', { id: persons.items[0].id });

    await call('post', '/api/v2/instances/{id}/disconnect', { id });
    await call('post', '/api/v2/instances/{id}/connect', { id });
    await call('delete', '/api/v2/instances/{id}', { id });
  });

  it('access rules', async () => {
    const rule = await call('post', '/api/v2/access/rules', {}, { type: 'deny', criteria: { platformUserId: 'spammer-*' }, reason: 'spam' });
    await call('get', '/api/v2/access/rules');
    await call('get', '/api/v2/access/rules/{id}', { id: rule.id });
    await call('patch', '/api/v2/access/rules/{id}', { id: rule.id }, { priority: 5 });
    const check = await call('post', '/api/v2/access/check', {}, { instanceId: 'any', platformUserId: 'spammer-1', channel: 'probe' });
    expect(check.allowed).toBe(false);
    await call('delete', '/api/v2/access/rules/{id}', { id: rule.id });
  });

  it('agent providers', async () => {
    const provider = await call('post', '/api/v2/providers', {}, { name: 'probe-provider', type: 'probe-agent', apiUrl: 'http://127.0.0.1:9/agent', apiKey: 'sk-probe-secret-123456' });
    expect(JSON.stringify(provider)).not.toContain('sk-probe-secret-123456');
    await call('get', '/api/v2/providers');
    await call('get', '/api/v2/providers/{id}', { id: provider.id });
    await call('patch', '/api/v2/providers/{id}', { id: provider.id }, { defaultTimeout: 5000 });
    await call('post', '/api/v2/providers/{id}/health', { id: provider.id });
    await call('get', '/api/v2/providers/{id}/agents', { id: provider.id });
    await call('delete', '/api/v2/providers/{id}', { id: provider.id });
  });

  it('error answers are documented and in the envelope', async () => {
    const missing = await call('get', '/api/v2/instances/{id}', { id: 'no-such-instance' });
    expect(missing.error.code).toBe('NOT_FOUND');
    const invalid = await call('post', '/api/v2/instances', {}, { name: '', channel: 42 });
    expect(invalid.error.code).toBe('VALIDATION_ERROR');
    const malformed = await tk.http.request('POST', '/api/v2/access/rules', { rawBody: '{"type":', headers: { 'content-type': 'application/json' } });
    expect(expectDocumented(malformed, 'post', '/api/v2/access/rules').error.code).toBe('BAD_REQUEST');
    const wrongType = await tk.http.request('POST', '/api/v2/access/rules', { rawBody: 'type=deny', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(expectDocumented(wrongType, 'post', '/api/v2/access/rules').error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const anonymous = await new TestHttpClient(tk.url).get('/api/v2/instances');
    expect(expectDocumented(anonymous, 'get', '/api/v2/instances').error.code).toBe('UNAUTHORIZED');
  });

  it('every GET without path parameters answers in its documented shape', async () => {
    const operations = Object.entries(doc.paths as Json).filter(([template, item]) => !template.includes('{') && item.get && item.get.responses['200']?.content);
    expect(operations.length).toBeGreaterThan(10);
    for (const [template] of operations) await call('get', template);
  });

  it('covered a broad set of operations', () => {
    expect(checked.size).toBeGreaterThanOrEqual(40);
  });
});
