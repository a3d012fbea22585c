import { pluginError, type PluginError } from './plugin-errors.js';

export interface OrderResult {
  /** Ids in start order: every plugin after the plugins it depends on. */
  order: string[];
  /** Plugins that cannot start, with the reason (missing dependency or cycle). */
  rejected: Map<string, PluginError>;
}

/**
 * Orders plugins by `dependsOn` (Kahn's algorithm, stable in input order). A plugin in a
 * cycle, or depending on an absent plugin, or on one of those, is rejected with the reason.
 */
export function orderByDependencies(plugins: ReadonlyArray<{ id: string; dependsOn?: readonly string[] }>): OrderResult {
  const rejected = new Map<string, PluginError>();
  const deps = new Map(plugins.map((p) => [p.id, [...(p.dependsOn ?? [])]]));

  for (const [id, list] of deps) {
    const missing = list.filter((d) => !deps.has(d));
    if (missing.length > 0) rejected.set(id, pluginError('PLUGIN_MISSING_DEPENDENCY', `plugin '${id}' depends on ${missing.map((m) => `'${m}'`).join(', ')}, which is not installed`, { missing }));
  }

  const order: string[] = [];
  const placed = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const [id, list] of deps) {
      if (placed.has(id) || rejected.has(id)) continue;
      const blocker = list.find((d) => rejected.has(d));
      if (blocker) {
        rejected.set(id, pluginError('PLUGIN_MISSING_DEPENDENCY', `plugin '${id}' depends on '${blocker}', which cannot start`, { dependency: blocker }));
        progress = true;
      } else if (list.every((d) => placed.has(d))) {
        order.push(id);
        placed.add(id);
        progress = true;
      }
    }
  }

  const stuck = [...deps.keys()].filter((id) => !placed.has(id) && !rejected.has(id));
  for (const id of stuck) {
    rejected.set(id, pluginError('PLUGIN_DEPENDENCY_CYCLE', `plugin '${id}' is in, or depends on, a dependency cycle: ${describeCycle(id, deps)}`, { cycle: stuck }));
  }
  return { order, rejected };
}

function describeCycle(start: string, deps: Map<string, string[]>): string {
  const path = [start];
  let current = start;
  for (;;) {
    const next = (deps.get(current) ?? []).find((d) => deps.has(d) && !path.slice(1).includes(d));
    if (!next) return path.join(' -> ');
    path.push(next);
    if (next === start) return path.join(' -> ');
    current = next;
  }
}
