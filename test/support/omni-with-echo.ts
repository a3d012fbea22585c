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

export interface OmniWithEchoOptions {
  /**
   * More environment for the process: the variables, or a function that gets the data dir (to
   * write files the process needs there, e.g. a preload for NODE_OPTIONS) and returns them; it is
   * called once, and every start (also after `restart`) gets the same variables.
   */
  env?: Record<string, string> | ((dataDir: string) => Promise<Record<string, string>> | Record<string, string>);
  timeoutMs?: number;
}

/** Starts the echo agent and `omni start` with `OMNI_DATA_DIR` in a new temporary folder named after `name`. */
export async function startOmniWithEcho(name: string, options: OmniWithEchoOptions = {}): Promise<OmniWithEcho> {
  const echo = await startEchoAgent();
  const dataDir = await mkdtemp(join(tmpdir(), `omni-e2e-${name}-`));
  let env: Record<string, string> | undefined;
  const spawn = () => spawnOmni({ OMNI_DATA_DIR: dataDir, ...env }, options.timeoutMs ?? 60_000);
  let omni: OmniProcess;
  try {
    env = typeof options.env === 'function' ? await options.env(dataDir) : options.env;
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
