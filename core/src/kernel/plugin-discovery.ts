import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PluginCandidate } from './plugin-manager.js';

/**
 * Built-in plugins are the `@omni/*` packages installed next to the kernel whose package.json
 * says `"omni": { "plugin": true }`. Nothing in the kernel names them.
 */
export async function findBuiltinPluginPackages(from: string = dirname(fileURLToPath(import.meta.url))): Promise<string[]> {
  const names = new Set<string>();
  for (let dir = from; ; dir = dirname(dir)) {
    const scope = join(dir, 'node_modules', '@omni');
    const entries = await readdir(scope).catch(() => [] as string[]);
    for (const entry of entries) {
      const pkg = await readFile(join(scope, entry, 'package.json'), 'utf8').then(JSON.parse, () => undefined);
      if (pkg?.omni?.plugin === true && typeof pkg.name === 'string') names.add(pkg.name);
    }
    if (dirname(dir) === dir) break;
  }
  return [...names].sort();
}

const looksLikePath = (spec: string) => spec.startsWith('.') || isAbsolute(spec);

/** A module's plugins: its default export or `plugin` export, one definition or an array. */
function pluginsOf(mod: Record<string, unknown>): unknown[] {
  const exported = mod.default ?? mod.plugin;
  return Array.isArray(exported) ? exported : [exported];
}

/** Imports each plugin module. A module that fails to import becomes a candidate with its error. */
export async function importPlugins(specs: readonly { spec: string; source: string }[], cwd = process.cwd()): Promise<PluginCandidate[]> {
  const candidates: PluginCandidate[] = [];
  for (const { spec, source } of specs) {
    try {
      const target = looksLikePath(spec) ? pathToFileURL(resolve(cwd, spec)).href : spec;
      const mod = (await import(target)) as Record<string, unknown>;
      for (const definition of pluginsOf(mod)) candidates.push({ definition, source });
    } catch (err) {
      candidates.push({ source, loadError: err instanceof Error ? err.message : String(err) });
    }
  }
  return candidates;
}

/** The built-in plugins plus those named in OMNI_PLUGINS (package names or paths). */
export async function discoverPlugins(extra: readonly string[], cwd = process.cwd()): Promise<PluginCandidate[]> {
  const builtins = await findBuiltinPluginPackages();
  return importPlugins([...builtins.map((name) => ({ spec: name, source: `builtin:${name}` })), ...extra.filter((e) => !builtins.includes(e)).map((spec) => ({ spec, source: spec }))], cwd);
}
