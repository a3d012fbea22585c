#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { listPlugins } from './cli/list-plugins.js';
import { runServer } from './cli/run-server.js';
import { OMNI_VERSION } from './version.js';

const program = new Command('omni').description('Omni omnichannel messaging hub').version(OMNI_VERSION);

program
  .command('start')
  .description('start the hub: HTTP API, plugins and instances')
  .action(async () => {
    const config = loadConfig();
    await runServer(config, createLogger(config.logLevel));
  });

const plugins = program.command('plugins').description('inspect plugins');
plugins
  .command('list')
  .description('list discovered plugins, whether they pass validation, and whether they are enabled')
  .option('--json', 'print JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    process.exitCode = await listPlugins(config, createLogger('silent'), { json: opts.json ?? false, out: process.stdout });
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
