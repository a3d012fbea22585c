import { fileURLToPath } from 'node:url';

/** The parts of a V8 `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Sampled time, idle included. */
  totalMs: number;
  idleMs: number;
  /** Self time by package / workspace folder / runtime part, busy time only, largest first. */
  byModule: Array<{ module: string; ms: number; share: number }>;
  /** Functions with the most self time. */
  topSelf: Array<{ fn: string; module: string; ms: number; share: number }>;
  /** Repository functions (core, sdk, plugins) with the most time including what they call (synchronous part only). */
  topInclusive: Array<{ fn: string; ms: number; share: number }>;
}

/** Where a frame's code comes from: an npm package, a workspace folder, a Node built-in, or a VM state. */
export function moduleOf(url: string, functionName: string, repoRoot: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) {
    if (url.includes('deps/undici')) return 'node:undici (fetch)';
    const parts = url.replace(/^node:(internal\/)?/, '').split('/');
    return `node:${parts[0]}`;
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (path.startsWith(repoRoot)) {
    const rel = path.slice(repoRoot.length).replace(/^\//, '').split('/');
    return rel.slice(0, Math.min(rel.length - 1, rel[1] === 'src' ? 3 : 2)).join('/');
  }
  return path;
}

const shortUrl = (url: string, repoRoot: string) => {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  return path.startsWith(repoRoot) ? path.slice(repoRoot.length).replace(/^\//, '') : path;
};

export function summarizeProfile(profile: CpuProfile, repoRoot: string, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  // Sample i lasted until sample i+1 (DevTools' convention); timeDeltas are in µs.
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + us);
  }
  let totalUs = 0;
  let idleUs = 0;
  const modules = new Map<string, number>();
  const functions = new Map<string, { fn: string; module: string; us: number }>();
  const inclusive = new Map<string, number>();
  const fnKey = (n: CpuProfile['nodes'][number]) => `${n.callFrame.functionName || '(anonymous)'} ${shortUrl(n.callFrame.url, repoRoot)}:${n.callFrame.lineNumber + 1}`;
  const inRepo = (url: string) => url.includes('/core/src/') || url.includes('/sdk/') || url.includes('/plugins/');

  for (const [id, us] of self) {
    const node = byId.get(id)!;
    totalUs += us;
    if (node.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const module = moduleOf(node.callFrame.url, node.callFrame.functionName, repoRoot);
    modules.set(module, (modules.get(module) ?? 0) + us);
    const key = fnKey(node);
    const entry = functions.get(key) ?? { fn: key, module, us: 0 };
    entry.us += us;
    functions.set(key, entry);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (!frame.callFrame.url || !inRepo(frame.callFrame.url) || frame.callFrame.url.includes('node_modules')) continue;
      const k = fnKey(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs || 1;
  const ms = (us: number) => Math.round(us / 100) / 10;
  const share = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  return {
    totalMs: ms(totalUs),
    idleMs: ms(idleUs),
    byModule: [...modules].sort((a, b) => b[1] - a[1]).slice(0, top).map(([module, us]) => ({ module, ms: ms(us), share: share(us) })),
    topSelf: [...functions.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ fn: f.fn, module: f.module, ms: ms(f.us), share: share(f.us) })),
    topInclusive: [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, us]) => ({ fn, ms: ms(us), share: share(us) })),
  };
}
