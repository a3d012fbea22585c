import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import type { Kernel } from '../../kernel/create-kernel.js';
import { subprocessConfig, subprocessConfigSchema } from './subprocess-config.js';

const kernelWith = (env: Record<string, string>, plugins: Array<{ kind: string; status: string }> = []) =>
  ({ config: loadConfig({ OMNI_DATA_DIR: '/srv/omni', ...env }), plugins: { list: () => plugins } }) as unknown as Kernel;

describe('subprocess config', () => {
  it('hands out where the database and the bus are, never their credentials', () => {
    const config = subprocessConfig(
      kernelWith({ DATABASE_URL: 'postgres://omni:hunter2-db-pass@db.local:5432/omni', NATS_URL: 'tls://bus:nats-pass@nats.local:4222', OMNI_NATS_NAMESPACE: 'hub-a' }, [
        { kind: 'agent-provider', status: 'running' },
        { kind: 'media-processor', status: 'failed' },
      ]),
    );
    expect(subprocessConfigSchema.parse(config)).toEqual({
      database: { provider: 'postgresql', connectionUri: 'postgres://db.local:5432/omni' },
      eventBus: { backend: 'nats', url: 'tls://nats.local:4222', namespace: 'hub-a', tls: true },
      logging: { level: 'info', format: 'json' },
      paths: { dataDir: '/srv/omni', mediaDir: '/srv/omni/media' },
      features: { mediaProcessing: false, agentRouting: true, accessControl: true },
    });
    expect(JSON.stringify(config)).not.toMatch(/hunter2|nats-pass/);
  });

  it('names the SQLite file for the embedded database', () => {
    expect(subprocessConfig(kernelWith({})).database).toEqual({ provider: 'sqlite', connectionUri: 'sqlite:/srv/omni/omni.db' });
  });
});
