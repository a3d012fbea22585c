import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePlugin } from '@omni/plugin-sdk';
import { TestHttpClient } from '@omni/plugin-sdk/testing';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer, type RunningServer } from '../server.js';

const API_KEY = 'omni_test_http_app_key_0123456789';

/** A channel whose webhook handler logs, to prove plugin log lines carry the request id too. */
const chatty = definePlugin({
  id: 'chatty',
  version: '1.0.0',
  kind: 'channel',
  compat: { sdk: '^1.0.0' },
  services: ['logger'],
  channel: { id: 'chatty', name: 'Chatty', description: 'logs', instanceConfig: z.object({}) },
  capabilities: { content: { send: ['text'], receive: ['text'] }, features: [], auth: ['token'], limits: { maxTextLength: 10, maxFileSize: 10 }, events: [] },
  setup: ({ services }) => ({
    adapter: {
      connect: async (i) => i.setStatus({ state: 'connected' }),
      disconnect: async () => undefined,
      send: async () => ({ ok: true as const, externalId: '1' }),
      handleWebhook: async () => {
        services.logger.info('plugin speaking');
        return { status: 204 };
      },
    },
  }),
});

describe('HTTP app', () => {
  let server: RunningServer;
  let http: TestHttpClient;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = { ...loadConfig({}), port: 0, databaseUrl: ':memory:', natsUrl: undefined, bodyLimit: '2kb', apiKey: API_KEY, dataDir: await mkdtemp(join(tmpdir(), 'omni-http-')) };
    server = await startServer({ config, logger: createLogger('debug', sink), plugins: [{ definition: chatty, source: 'test' }] });
    http = new TestHttpClient(server.url, { 'x-api-key': API_KEY });
  });
  afterAll(() => server.stop());

  it('answers unknown routes with 404 NOT_FOUND in the envelope', async () => {
    const res = await http.get('/api/v2/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /api/v2/nope' } });
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await http.delete('/api/v2/health');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(res.headers.get('allow')).toContain('GET');
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await http.request('POST', '/api/v2/plugins/chatty/disable', { rawBody: '{oops', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'malformed JSON body' } });
  });

  it('answers an oversized body with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await http.post('/api/v2/plugins/chatty/disable', { blob: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers invalid params with 400 VALIDATION_ERROR and details', async () => {
    const res = await http.get(`/api/v2/channels/${'x'.repeat(100)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ in: 'params', path: 'id' }] });
  });

  it('reports health with checks for the database, the event bus and each plugin', async () => {
    const res = await http.get('/api/v2/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      version: expect.any(String),
      checks: { database: { status: 'ok', latency: expect.any(Number) }, eventBus: { status: 'ok', backend: 'in-process' }, plugins: { chatty: { status: 'running' } } },
    });
  });

  it('reports info', async () => {
    const res = await http.get('/api/v2/info');
    expect(res.body).toMatchObject({ version: expect.any(String), sdkApiVersion: '1.0.0', database: 'sqlite', eventBus: 'in-process', plugins: { total: 1, running: 1, failed: 0 } });
  });

  it('puts the request id on every log line written while serving, plugin lines included', async () => {
    const instance = await server.kernel.instances.create({ name: 'chatty-1', channel: 'chatty' });
    const res = await http.post(`/api/v2/webhooks/chatty/${instance.id}`, {}, { 'x-request-id': 'req-abc-123' });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    const generated = (await http.get('/api/v2/info')).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((l) => l.reqId === 'req-abc-123' && l.msg === 'request' && l.status === 204)).toBe(true);
    expect(lines.some((l) => l.reqId === 'req-abc-123' && l.msg === 'plugin speaking' && l.plugin === 'chatty')).toBe(true);
    expect(lines.some((l) => l.reqId === generated)).toBe(true);
  });
});
