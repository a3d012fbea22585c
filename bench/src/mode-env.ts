import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig, Mode } from './config.js';
import { prepareServices, redact } from './services.js';

export interface ModeEnv {
  /** The hub's environment for the mode. */
  env: Record<string, string>;
  description: string;
  /** Set in services mode: the scratch database's URL. */
  databaseUrl?: string;
  cleanup(): Promise<void>;
}

/**
 * A fresh data directory for every mode (embedded: its SQLite file), plus for `services` a
 * scratch PostgreSQL database and a unique NATS namespace; or why the mode cannot run.
 */
export async function prepareModeEnv(mode: Mode, config: BenchConfig): Promise<ModeEnv | { skipped: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), `omni-bench-${mode}-`));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  if (mode === 'embedded') {
    return { env: { OMNI_DATA_DIR: dataDir }, description: `SQLite in a fresh OMNI_DATA_DIR (${dataDir}), in-process event bus`, cleanup: removeDir };
  }
  const services = await prepareServices(config.databaseUrl, config.natsUrl);
  if ('skipped' in services) {
    await removeDir();
    return services;
  }
  return {
    env: { OMNI_DATA_DIR: dataDir, ...services.env },
    description: `PostgreSQL (scratch database ${services.scratch.url.split('/').pop()} on ${redact(config.databaseUrl).replace(/\/[^/]*$/, '')}) + NATS JetStream (${config.natsUrl}, namespace ${services.namespace})`,
    databaseUrl: services.scratch.url,
    cleanup: async () => {
      await services.cleanup();
      await removeDir();
    },
  };
}
