#!/usr/bin/env node
import { Command } from 'commander';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createKeyFromCli } from './cli/create-key.js';
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

const keys = program.command('keys').description('manage API keys');
const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
keys
  .command('create')
  .description('create an API key in the database and print it once (works while the server is down)')
  .option('--admin', 'full access (scope *)')
  .option('--name <name>', 'a name people will recognise', 'created on the command line')
  .option('--scope <scopes>', 'scopes, comma separated or repeated', collect, [])
  .option('--instance <ids>', 'restrict to these instance ids', collect, [])
  .action(async (opts: { admin?: boolean; name: string; scope: string[]; instance: string[] }) => {
    const config = loadConfig();
    process.exitCode = await createKeyFromCli(config, createLogger('silent'), { name: opts.name, admin: opts.admin ?? false, scopes: opts.scope, instanceIds: opts.instance }, process.stdout);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
