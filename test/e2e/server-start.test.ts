import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOmniClient, OmniApiError } from '@omni/client';
import { deleteNatsNamespace, uniqueNatsNamespace } from '@omni/core/testing';
import { spawnOmni, type OmniProcess } from '../support/spawn-omni.js';

/** The backends this run can use: always embedded; PostgreSQL + NATS when CI or the developer provides them. */
const backends = [
  { name: 'embedded SQLite + in-process bus', env: {} as Record<string, string> },
  ...(process.env.DATABASE_URL && process.env.NATS_URL
    ? [{ name: 'PostgreSQL + NATS JetStream', env: { DATABASE_URL: process.env.DATABASE_URL, NATS_URL: process.env.NATS_URL, OMNI_NATS_NAMESPACE: uniqueNatsNamespace('e2e') } }]
    : []),
];

describe.each(backends)('omni start ($name)', ({ env }) => {
  let omni: OmniProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'omni-e2e-'));
    omni = await spawnOmni({ ...env, OMNI_DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await omni?.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (env.NATS_URL && env.OMNI_NATS_NAMESPACE) await deleteNatsNamespace(env.NATS_URL, env.OMNI_NATS_NAMESPACE);
  });

  it('serves health with every check ok', async () => {
    const client = createOmniClient({ baseUrl: omni.url, apiKey: omni.apiKey });
    const health = await client.health();
    expect(health.status).toBe('healthy');
    expect(health.checks.database.status).toBe('ok');
    expect(health.checks.eventBus).toMatchObject({ status: 'ok', backend: env.NATS_URL ? 'nats' : 'in-process' });
  });

  it('discovers the built-in webhook channel and lists it with its version and capabilities', async () => {
    const client = createOmniClient({ baseUrl: omni.url, apiKey: omni.apiKey });
    const { items: plugins } = await client.plugins.list();
    expect(plugins.find((p) => p.id === 'channel-webhook')).toMatchObject({ status: 'running', source: 'builtin:@omni/channel-webhook', kind: 'channel' });
    const { items: channels } = await client.channels.list();
    const webhook = channels.find((c) => c.id === 'webhook');
    expect(webhook).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), capabilities: { content: { send: expect.arrayContaining(['text']) } } });
    const supported = await client.channels.supported();
    expect(supported.items.map((c) => c.id)).toContain('webhook');
  });

  it('answers errors in the envelope', async () => {
    const client = createOmniClient({ baseUrl: omni.url, apiKey: omni.apiKey });
    await expect(client.channels.get('no-such-channel')).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' } satisfies Partial<OmniApiError>);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await omni.stop('SIGTERM')).toBe(0);
    expect(omni.logs.some((l) => l.msg === 'shutting down')).toBe(true);
  });
});
