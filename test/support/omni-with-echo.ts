import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoAgent, type EchoAgent } from 'omni-echo-agent';
import { spawnOmni, type OmniProcess } from './spawn-omni.js';

/** A real `omni start` process over its own temporary data dir, with the echo agent to answer it. */
export interface OmniWithEcho {
  /** The running process; a new one after `restart`. */
  readonly omni: OmniProcess;
  readonly echo: EchoAgent;
  readonly dataDir: string;
  /** Stops the process, runs `whileStopped`, then starts a new one over the same data dir. */
  restart(whileStopped?: () => Promise<unknown>): Promise<OmniProcess>;
  /** Stops the process and the echo agent, and removes the data dir. */
  close(): Promise<void>;
}

/** Starts the echo agent and `omni start` with `OMNI_DATA_DIR` in a new temporary folder named after `name`. */
export async function startOmniWithEcho(name: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<OmniWithEcho> {
  const echo = await startEchoAgent();
  const dataDir = await mkdtemp(join(tmpdir(), `omni-e2e-${name}-`));
  const spawn = () => spawnOmni({ OMNI_DATA_DIR: dataDir, ...options.env }, options.timeoutMs ?? 60_000);
  let omni: OmniProcess;
  try {
    omni = await spawn();
  } catch (err) {
    await echo.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    get omni() {
      return omni;
    },
    echo,
    dataDir,
    async restart(whileStopped) {
      await omni.stop();
      await whileStopped?.();
      omni = await spawn();
      return omni;
    },
    async close() {
      await omni.stop();
      await echo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
