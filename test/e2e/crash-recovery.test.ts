import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchPostgres, deleteNatsNamespace, uniqueNatsNamespace, type ScratchPostgres } from '@omni/core/testing';
import { startCaptureServer, type CaptureServer } from '@omni/plugin-sdk/testing';
import { backends } from '../support/backends.js';
import { spawnOmni, type OmniProcess } from '../support/spawn-omni.js';
import { waitFor } from '../support/wait-for.js';

const SECRET = 'crash-secret-0123456789';

describe.each(backends)('a hub killed between receiving and replying ($name)', ({ backend }) => {
  let agent: CaptureServer;
  let outbound: CaptureServer;
  let dataDir: string;
  let database: ScratchPostgres | undefined;
  let namespace: string | undefined;
  let env: Record<string, string>;
  let hang = true;
  const running: OmniProcess[] = [];

  beforeAll(async () => {
    agent = await startCaptureServer((req) =>
      hang ? new Promise(() => undefined) : { status: 200, body: { text: `Echo: ${req.body?.message}` } },
    );
    outbound = await startCaptureServer();
    dataDir = await mkdtemp(join(tmpdir(), 'omni-crash-'));
    env = { OMNI_DATA_DIR: dataDir, OMNI_PROCESSING_LEASE_MS: '1000' };
    if (backend === 'services') {
      database = await createScratchPostgres(process.env.DATABASE_URL!);
      namespace = uniqueNatsNamespace('crash');
      env = { ...env, DATABASE_URL: database.url, NATS_URL: process.env.NATS_URL!, OMNI_NATS_NAMESPACE: namespace };
    }
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop('SIGKILL')));
    await agent?.close();
    await outbound?.close();
    if (namespace) await deleteNatsNamespace(process.env.NATS_URL!, namespace);
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers the message once after the restart', async () => {
    const first = await spawnOmni(env);
    running.push(first);
    const post = (base: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': first.apiKey, ...headers }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }));

    const created = await post(first.url, '/api/v2/instances', {
      name: 'crash-test',
      channel: 'webhook',
      channelConfig: { secret: SECRET, outboundUrl: `${outbound.url}/out` },
      agent: { apiUrl: agent.url, timeout: 60_000 },
    });
    expect(created.status).toBe(201);
    const accepted = await post(first.url, `/api/v2/webhooks/webhook/${created.body.id}`, { event: 'message', data: { messageId: 'crash-1', from: '+15550199', text: 'survive this' } }, { 'x-webhook-secret': SECRET });
    expect(accepted.status).toBe(200);

    await waitFor('the agent call to be in flight', () => agent.requests.some((r) => r.body?.message === 'survive this'));
    expect(await first.stop('SIGKILL')).toBe(null);
    hang = false;

    const second = await spawnOmni(env);
    running.push(second);
    const reply = await waitFor('the reply after restart', () => outbound.requests.find((r) => r.body?.to === '+15550199'), 20_000);
    expect(reply.body.content).toEqual({ type: 'text', text: 'Echo: survive this' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(outbound.requests.filter((r) => r.body?.to === '+15550199')).toHaveLength(1);
    expect(second.logs.some((l) => l.msg === 'recovered unfinished inbound messages')).toBe(true);
  });
});
