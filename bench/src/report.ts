import type { Mode } from './config.js';
import { ceilingRatio, isModeResult, PEER, TARGETS, type BenchResults, type CeilingResult, type ModeResult } from './results.js';
import type { LevelResult } from './scenario.js';

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

/** A plain-text table, columns right-aligned except the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function levelRow(label: string, r: LevelResult, ceiling?: CeilingResult): string[] {
  const failures = r.rejected + r.lost;
  return [
    label,
    `${r.replied}${failures ? ` (${failures} failed)` : ''}`,
    f0(r.msgPerSec),
    f1(r.latencyMs.p50),
    f1(r.latencyMs.p99),
    f1(r.latencyMs.max),
    ...(ceiling ? [f2(ceilingRatio(r, ceiling))] : []),
    f1(r.rssPeakMb),
    f2(r.cpuMsPerMessage),
    f2(r.cpuCores),
    f2(r.otherCores),
    ...(r.backlog ? [`${r.backlog.stored}/${r.backlog.replied}`, String(r.backlog.notFinal), `${f0(r.backlog.finalLagMs.p50)}/${f0(r.backlog.finalLagMs.p99)}/${f0(r.backlog.finalLagMs.max)}`, f0(r.backlog.settledAfterMs)] : []),
  ];
}

const HUB_HEADER = ['conc', 'msgs', 'msg/s', 'p50 ms', 'p99 ms', 'max ms', 'x ceiling', 'RSS peak MB', 'CPU ms/msg', 'cores', 'other cores', 'stored', 'not final', 'final lag p50/p99/max ms', 'last row final after last reply ms'];

const CEILING_HEADER = ['conc', 'msgs', 'msg/s', 'p50 ms', 'p99 ms', 'max ms', 'RSS peak MB', 'CPU ms/msg', 'cores', 'other cores'];

function modeSection(m: ModeResult): string {
  const { ceiling } = m;
  const rows = m.levels.map((l) => levelRow(String(l.concurrency), l, ceiling));
  if (m.burst) rows.push(levelRow(`burst ${m.burst.concurrency}`, m.burst, ceiling));
  const breakdown = [...m.levels, ...(m.burst ? [m.burst] : [])].filter((l) => l.backlog?.stages);
  const stageRows = breakdown.map((l) => {
    const st = l.backlog!.stages!;
    const cell = (x: { p50: number; p99: number }) => `${f0(x.p50)} / ${f0(x.p99)}`;
    return [l === m.burst ? `burst ${l.concurrency}` : String(l.concurrency), cell(st.toRouter), cell(st.routing), cell(st.handover), cell(st.agent), cell(st.send), cell(st.receivedToSent), cell(l.latencyMs)];
  });
  const errors = [...m.levels, ...(m.burst ? [m.burst] : [])].filter((l) => l.firstError).map((l) => `  c=${l.concurrency}: ${l.firstError}`);
  return [
    `Mode ${m.mode}: ${m.description}`,
    'Ceiling (bare Koa relay: receive, call the agent, post the reply; no persistence), each level run right before the hub\'s:',
    table(CEILING_HEADER, ceiling.levels.map((l) => levelRow(String(l.concurrency), l))),
    'Hub:',
    table(HUB_HEADER, rows),
    'Where the time goes inside the hub (from the stored stages; p50 / p99 ms):',
    table(['conc', 'to router', 'routing', 'hand-over', 'agent', 'send', 'received→sent', 'client latency'], stageRows),
    `hub idle RSS: ${f1(m.idleRss.atStartMb)} MB at start, ${f1(m.idleRss.afterWarmupMb)} MB after warm-up (samples ${m.idleRss.samples.join(', ')}), ${f1(m.idleRss.afterLoadMb)} MB after the load`,
    `hub log lines at warn or above: ${m.hubWarnings}${m.hubWarningSamples.length ? `\n  ${m.hubWarningSamples.join('\n  ')}` : ''}`,
    ...(errors.length ? ['errors:', ...errors] : []),
  ].join('\n');
}

type Verdict = { pass: boolean | undefined; detail: string };
const verdict = (v: Verdict) => `${v.pass === undefined ? 'n/a ' : v.pass ? 'PASS' : 'MISS'} ${v.detail}`;
const at = (m: ModeResult, c: number) => m.levels.find((l) => l.concurrency === c);

/** What the ceiling itself reached at c=20 (paired with this mode), for targets the hub can only approach from below. */
function ceilingNote(m: ModeResult, what: (c: LevelResult) => string): string {
  const c = m.ceiling.levels.find((l) => l.concurrency === 20);
  return c ? `; the ceiling itself: ${what(c)}` : '';
}

/** Each target, per mode. */
export function evaluateTargets(results: BenchResults): Array<{ target: string; modes: Partial<Record<Mode, Verdict>> }> {
  const modes = Object.entries(results.modes).filter(([, m]) => isModeResult(m)) as Array<[Mode, ModeResult]>;
  const per = (fn: (m: ModeResult) => Verdict) => Object.fromEntries(modes.map(([name, m]) => [name, fn(m)])) as Partial<Record<Mode, Verdict>>;
  const na = { pass: undefined, detail: '(no c=20 level)' };
  return [
    {
      target: `>= ${TARGETS.timesPeer}x the peer's ${PEER.msgPerSecAt20} msg/s at c=20`,
      modes: per((m) => {
        const l = at(m, 20);
        return l ? { pass: l.msgPerSec >= TARGETS.timesPeer * PEER.msgPerSecAt20, detail: `${f0(l.msgPerSec)} msg/s = ${f1(l.msgPerSec / PEER.msgPerSecAt20)}x${ceilingNote(m, (c) => `${f0(c.msgPerSec)} msg/s`)}` } : na;
      }),
    },
    {
      target: `ratio to the ceiling >= ${TARGETS.ceilingRatio} at every concurrency (embedded)`,
      modes: per((m) => {
        if (m.mode !== 'embedded') return { pass: undefined, detail: `(embedded only; min ${f2(Math.min(...m.levels.map((l) => ceilingRatio(l, m.ceiling))))})` };
        const ratios = m.levels.map((l) => ({ c: l.concurrency, r: ceilingRatio(l, m.ceiling) }));
        const worst = ratios.reduce((a, b) => (b.r < a.r ? b : a));
        return { pass: ratios.every((x) => x.r >= TARGETS.ceilingRatio), detail: `min ${f2(worst.r)} at c=${worst.c} (${ratios.map((x) => `${x.c}: ${f2(x.r)}`).join(', ')})` };
      }),
    },
    {
      target: `p99 <= ${TARGETS.p99At20Ms} ms at c=20`,
      modes: per((m) => {
        const l = at(m, 20);
        return l ? { pass: l.latencyMs.p99 <= TARGETS.p99At20Ms, detail: `${f1(l.latencyMs.p99)} ms (peer ${PEER.p99At20Ms} ms)${ceilingNote(m, (c) => `${f1(c.latencyMs.p99)} ms`)}` } : na;
      }),
    },
    {
      target: `no persistence backlog: every row stored when its reply arrives, final <= ${TARGETS.maxFinalLagMs} ms after it`,
      modes: per((m) => {
        const runs = [...m.levels, ...(m.burst ? [m.burst] : [])].filter((l) => l.backlog);
        const notFinal = runs.reduce((n, l) => n + l.backlog!.notFinal, 0);
        const missing = runs.reduce((n, l) => n + (l.backlog!.replied - l.backlog!.stored), 0);
        const lag = Math.max(...runs.map((l) => l.backlog!.finalLagMs.max));
        return {
          pass: missing === 0 && lag <= TARGETS.maxFinalLagMs,
          detail: `${missing} missing; ${notFinal} still in flight at the last reply; final lag max ${f0(lag)} ms (peer: ~${PEER.backlogAfter10kS} s behind)`,
        };
      }),
    },
    {
      target: `idle RSS < ${TARGETS.idleRssMb} MB`,
      modes: per((m) => ({
        pass: m.idleRss.afterWarmupMb < TARGETS.idleRssMb,
        detail: `${f1(m.idleRss.afterWarmupMb)} MB (peer ${PEER.idleRssMb} MB; floor: node + the stack's libraries ${f1(results.baselines.stackFloorIdleMb)} MB)`,
      })),
    },
  ];
}

export function renderReport(results: BenchResults): string {
  const { machine, config, baselines, ceiling } = results;
  const out: string[] = [];
  out.push(`Omni bench: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.totalMemoryMb} MB, Node ${machine.node}, ${machine.platform}`);
  out.push(`${config.messages} messages per level after a warm-up, concurrency ${config.concurrency.join(', ')}; burst ${config.burst}; command: ${results.command}`);
  out.push(`Code: commit ${results.git.commit}${results.git.changed.length ? ` + uncommitted changes in ${results.git.changed.join(', ')}` : ''}; ${results.startedAt}`);
  out.push(
    `Baseline idle RSS: bare node ${f1(baselines.nodeIdleMb)} MB; node with the TypeScript source loader (tsx, as npm start runs) ${f1(baselines.nodeWithSourceLoaderIdleMb)} MB; ` +
      `node with the stack's libraries and no Omni code (koa, router, awilix, zod, pino, MikroORM with libsql and migrations, one SQLite connection) ${f1(baselines.stackFloorIdleMb)} MB`,
  );
  out.push('');
  out.push(`Ceiling: bare Koa relay (receive, call the agent, post the reply; no persistence), idle RSS ${f1(ceiling.idleRssMb)} MB after its warm-up`);
  for (const [mode, m] of Object.entries(results.modes)) {
    out.push('');
    if (!m) continue;
    if ('skipped' in m) out.push(`Mode ${mode}: SKIPPED: ${m.skipped}`);
    else if ('error' in m) out.push(`Mode ${mode}: FAILED: ${m.error}`);
    else out.push(modeSection(m));
  }
  out.push('');
  out.push('"stored": rows found by the events API scan started right after the last reply; "not final": of those, rows whose status was not yet sent');
  out.push('(a row turns sent after the receiver answered the reply\'s POST, so the last few can be in flight); "final lag": the row\'s last write (updatedAt)');
  out.push('minus its reply\'s arrival at the receiver; "last row final after last reply": the latest such write minus the last reply\'s arrival.');
  out.push('Stages: "to router" = stored until the router starts on it (bus, the router\'s one-at-a-time queue, the claim); "routing" = identity + access hooks;');
  out.push('"hand-over" = debounce buffer and agent resolution; "agent" = the agent call; "send" = outbound row, POST to the receiver, row update.');
  out.push('"CPU ms/msg": CPU time of the process under load (hub or relay, all threads) per message; "cores": that CPU time over the wall time;');
  out.push('"other cores": cores kept busy meanwhile by every other process (PostgreSQL and NATS in services mode; other load on the machine is noise).');

  const modes = Object.entries(results.modes).filter(([, m]) => isModeResult(m)) as Array<[Mode, ModeResult]>;
  if (modes.length) {
    out.push('');
    out.push(`Versus the peer hub (c=20: ${PEER.msgPerSecAt20} msg/s, p99 ${PEER.p99At20Ms} ms; idle ${PEER.idleRssMb} MB):`);
    out.push(
      table(
        ['mode', 'msg/s @20', 'x peer', 'p99 @20 ms', 'peer p99 / ours', 'idle RSS MB', 'peer RSS / ours'],
        modes.map(([name, m]) => {
          const l = at(m, 20);
          return [name, f0(l?.msgPerSec ?? NaN), f1((l?.msgPerSec ?? NaN) / PEER.msgPerSecAt20), f1(l?.latencyMs.p99 ?? NaN), f1(PEER.p99At20Ms / (l?.latencyMs.p99 ?? NaN)), f1(m.idleRss.afterWarmupMb), f2(PEER.idleRssMb / m.idleRss.afterWarmupMb)];
        }),
      ),
    );
    out.push('');
    out.push('Targets:');
    out.push(table(['target', ...modes.map(([name]) => name)], evaluateTargets(results).map((t) => [t.target, ...modes.map(([name]) => (t.modes[name] ? verdict(t.modes[name]) : ''))])));
  }
  return out.join('\n');
}
