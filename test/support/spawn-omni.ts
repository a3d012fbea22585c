import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface OmniProcess {
  url: string;
  /** The admin key the process runs with (`OMNI_API_KEY`, generated unless given); '' when started without one. */
  apiKey: string;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  child: ChildProcess;
  /** Every JSON log line the process printed. */
  logs: Array<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `omni start` (the CLI from sources, as `npm start` does) and waits until it listens. */
export async function spawnOmni(env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<OmniProcess> {
  // `OMNI_API_KEY: undefined` given explicitly: start without one (first-start bootstrap).
  const apiKey = 'OMNI_API_KEY' in env ? env.OMNI_API_KEY : `omni_e2e_${randomBytes(24).toString('base64url')}`;
  const child = spawn(process.execPath, ['--conditions=@omni/source', '--import', 'tsx', 'core/src/cli.ts', 'start'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, OMNI_PORT: '0', LOG_LEVEL: 'info', ...env, ...(apiKey ? { OMNI_API_KEY: apiKey } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`omni did not start within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    let buffer = '';
    child.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'omni listening') {
            clearTimeout(timer);
            resolve(String(entry.url));
          }
        } catch {
          // not a log line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`omni exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
  return {
    url,
    apiKey: apiKey ?? '',
    stderr: () => stderr,
    child,
    logs,
    stop: async (signal = 'SIGTERM') => {
      // A child that died by a signal has a signalCode and no exitCode.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}
