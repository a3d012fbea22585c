import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How the repository runs TypeScript sources (as `npm start` does). */
export const SOURCE_LOADER = ['--conditions=@omni/source', '--import', 'tsx'];

export interface NodeProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Lines the process printed on stdout (after the ready line, for services). */
  readonly lines: string[];
  stderr(): string;
  /** SIGTERM (or `signal`), then waits for the exit; SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number | null>;
}

/** Spawns `node <nodeArgs…>` from the repository root with exactly `env` (plus PATH and HOME). */
export function spawnNode(nodeArgs: readonly string[], env: Record<string, string | undefined>): NodeProcess {
  const child = spawn(process.execPath, [...nodeArgs], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  child.stdout!.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) lines.push(line);
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.length > 64_000) stderr = stderr.slice(-32_000);
  });
  return {
    pid: child.pid!,
    child,
    lines,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM', graceMs = 25_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit') as Promise<[number | null]>;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const [code] = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Waits for the first stdout line that is JSON with a `ready` URL (what the bench's own child
 * entries print when they listen). Rejects when the process exits first or after `timeoutMs`.
 */
export async function waitForReady(proc: NodeProcess, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of proc.lines) {
      try {
        const parsed = JSON.parse(line) as { ready?: unknown };
        if (typeof parsed.ready === 'string') return parsed.ready;
      } catch {
        // not our line
      }
    }
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`process exited (${proc.child.exitCode ?? proc.child.signalCode}) before it was ready; stderr: ${proc.stderr()}`);
    if (Date.now() > deadline) throw new Error(`process not ready within ${timeoutMs} ms; stderr: ${proc.stderr()}`);
    await sleep(25);
  }
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
