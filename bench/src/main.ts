/**
 * `npm run bench`: drives inbound messages through the hub (webhook channel → echo agent →
 * outbound receiver) and through a bare Koa relay (the ceiling), and prints throughput, latency,
 * RSS, persistence backlog and the verdict on each target. See docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { loadBenchConfig } from './config.js';
import { HttpClient } from './http-client.js';
import { idleBaseline, measureMode, startCeiling } from './measure.js';
import { REPO_ROOT, SOURCE_LOADER, spawnNode, waitForReady, type NodeProcess } from './processes.js';
import { OutboundReceiver } from './receiver.js';
import { renderReport } from './report.js';
import type { BenchResults } from './results.js';
import { round1 } from './rss.js';
import { progress, type RunContext } from './scenario.js';
import { redact } from './services.js';

/** The commit measured, and the files changed on top of it (the bench's own folder aside). */
function gitState(): { commit: string; changed: string[] } {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return { commit: git('rev-parse', '--short', 'HEAD'), changed: git('status', '--porcelain').split('\n').filter((l) => l && !l.slice(3).startsWith('bench/')).map((l) => l.slice(3)) };
  } catch {
    return { commit: 'unknown', changed: [] };
  }
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const startedAt = new Date();
  const git = gitState();
  const runId = startedAt.getTime().toString(36);
  const client = new HttpClient(Math.max(...config.concurrency) + 16);
  const receiver = new OutboundReceiver();
  await receiver.start();
  let agent: NodeProcess | undefined;
  try {
    agent = spawnNode([...SOURCE_LOADER, 'bench/src/entries/agent-main.ts'], {});
    const agentUrl = await waitForReady(agent);
    const ctx: RunContext = { client, receiver, replyTimeoutMs: config.replyTimeoutMs, runId, agentPid: agent.pid };
    progress(`echo agent at ${agentUrl} (own process), outbound receiver at ${receiver.url} (driver process)`);

    const baselines = {
      nodeIdleMb: await idleBaseline(['-e', 'setInterval(() => {}, 60000); console.log(JSON.stringify({ ready: "idle" }))']),
      nodeWithSourceLoaderIdleMb: await idleBaseline([...SOURCE_LOADER, 'bench/src/entries/idle-main.ts']),
      stackFloorIdleMb: await idleBaseline(['--expose-gc', 'bench/src/entries/stack-floor-main.mjs']),
    };
    progress(`baseline idle RSS: node ${baselines.nodeIdleMb} MB, node + tsx ${baselines.nodeWithSourceLoaderIdleMb} MB, node + the stack's libraries ${baselines.stackFloorIdleMb} MB`);

    const ceiling = await startCeiling(ctx, config, agentUrl);
    const modes: BenchResults['modes'] = {};
    try {
      for (const mode of config.modes) {
        progress(`mode ${mode}…`);
        try {
          modes[mode] = await measureMode(ctx, config, mode, agentUrl, ceiling);
          const m = modes[mode]!;
          if ('skipped' in m) progress(`mode ${mode} skipped: ${m.skipped}`);
        } catch (err) {
          modes[mode] = { error: (err as Error).message };
          progress(`mode ${mode} failed: ${(err as Error).stack}`);
        }
      }
    } finally {
      await ceiling.stop();
    }

    const results: BenchResults = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: ['npm run bench', ...process.argv.slice(2)].join(' '),
      git,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, totalMemoryMb: Math.round(totalmem() / 2 ** 20) },
      config: { ...config, databaseUrl: redact(config.databaseUrl) },
      baselines: { nodeIdleMb: round1(baselines.nodeIdleMb), nodeWithSourceLoaderIdleMb: round1(baselines.nodeWithSourceLoaderIdleMb), stackFloorIdleMb: round1(baselines.stackFloorIdleMb) },
      ceiling: { idleRssMb: ceiling.idleRssMb },
      modes,
    };
    console.log(renderReport(results));
    await mkdir(dirname(config.output), { recursive: true });
    await writeFile(config.output, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nResults written to ${config.output}`);
    if (receiver.unmatched > 0) progress(`${receiver.unmatched} replies arrived that nobody waited for (late or unexpected)`);
  } finally {
    await agent?.stop();
    await receiver.close();
    client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
