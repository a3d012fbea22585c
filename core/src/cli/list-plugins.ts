import type { Writable } from 'node:stream';
import type { Logger } from '@omni/plugin-sdk';
import type { OmniConfig } from '../config.js';
import { createDatabase } from '../db/create-database.js';
import { PluginStateRepository } from '../db/repositories/plugin-state-repository.js';
import { discoverPlugins } from '../kernel/plugin-discovery.js';
import { KNOWN_PLUGIN_SERVICES } from '../kernel/plugin-services.js';
import { checkCandidate } from '../kernel/plugin-validation.js';

/** Prints every discovered plugin and whether it passes the pre-start checks. Runs no plugin code. Returns the exit code. */
export async function listPlugins(config: OmniConfig, logger: Logger, opts: { json: boolean; out: Writable }): Promise<number> {
  const candidates = await discoverPlugins(config.plugins);
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const states = new PluginStateRepository(database);
    const rows = [];
    for (const candidate of candidates) {
      const check = checkCandidate(candidate, config.pluginConfig, KNOWN_PLUGIN_SERVICES);
      const stored = check.definition ? await states.get(check.id) : null;
      rows.push({
        id: check.id,
        version: check.definition?.version ?? '-',
        kind: check.definition?.kind ?? '-',
        enabled: !config.disabledPlugins.includes(check.id) && stored?.enabled !== false,
        check: check.error ? `${check.error.code}: ${check.error.message}` : 'ok',
        source: candidate.source,
      });
    }
    if (opts.json) {
      opts.out.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      const header = ['ID', 'VERSION', 'KIND', 'ENABLED', 'CHECK', 'SOURCE'];
      const table = [header, ...rows.map((r) => [r.id, r.version, r.kind, r.enabled ? 'yes' : 'no', r.check, r.source])];
      const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
      for (const row of table) opts.out.write(`${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}\n`);
    }
    return rows.some((r) => r.check !== 'ok') ? 1 : 0;
  } finally {
    await database.close();
  }
}
