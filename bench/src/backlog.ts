import type { Delivered } from './driver.js';
import type { HttpClient } from './http-client.js';
import { hubAuth } from './hub.js';
import { sleep } from './processes.js';
import { summarize, type LatencySummary } from './stats.js';

const PAGE = 500;
const FINAL = new Set(['sent', 'failed', 'blocked', 'skipped']);

interface Stage {
  stage: string;
  at: string;
  ms?: number;
}

interface Row {
  status: string;
  /** ms since the epoch of the row's last write. */
  updatedAt: number;
  stages: Stage[];
}

/**
 * Where an inbound message's time went inside the hub, from its stored stages (ms resolution):
 * waiting for the router (bus delivery, the router's queue, the claim); routing (identity and
 * access hooks); the hand-over to the turn processor (debounce buffer, agent resolution); the
 * agent call; the send (outbound row, POST to the receiver, its row's update); all of it.
 */
export interface StageBreakdown {
  toRouter: LatencySummary;
  routing: LatencySummary;
  handover: LatencySummary;
  agent: LatencySummary;
  send: LatencySummary;
  receivedToSent: LatencySummary;
}

export function stageBreakdown(rows: readonly Row[]): StageBreakdown | undefined {
  const parts: Record<keyof StageBreakdown, number[]> = { toRouter: [], routing: [], handover: [], agent: [], send: [], receivedToSent: [] };
  for (const row of rows) {
    const at = (name: string) => row.stages.find((s) => s.stage === name);
    const [received, access, request, response, sent] = ['received', 'access', 'agent_request', 'agent_response', 'sent'].map(at);
    if (!received || !access || !request || !response || !sent) continue;
    const t = (s: Stage) => Date.parse(s.at);
    const routingMs = access.ms ?? 0;
    parts.toRouter.push(t(access) - routingMs - t(received));
    parts.routing.push(routingMs);
    parts.handover.push(t(request) - t(access));
    parts.agent.push(response.ms ?? t(response) - t(request));
    parts.send.push(t(sent) - t(response));
    parts.receivedToSent.push(t(sent) - t(received));
  }
  if (parts.receivedToSent.length === 0) return undefined;
  return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summarize(v)])) as unknown as StageBreakdown;
}

/** Every inbound event of an instance, through the events API (newest first, 500 a page). */
export async function scanInbound(client: HttpClient, hubUrl: string, instanceId: string): Promise<{ rows: Map<string, Row>; total: number; pages: number }> {
  const rows = new Map<string, Row>();
  let cursor: string | null = null;
  let total = 0;
  let pages = 0;
  do {
    const query = new URLSearchParams({ direction: 'inbound', instanceId, limit: String(PAGE), ...(cursor ? { cursor } : {}) });
    const res = await client.get(`${hubUrl}/api/v2/events?${query}`, hubAuth);
    if (res.status !== 200) throw new Error(`GET /api/v2/events answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    pages++;
    total = res.body.meta.total;
    for (const e of res.body.items as Array<{ id: string; status: string; updatedAt: string; stages: Stage[] }>) rows.set(e.id, { status: e.status, updatedAt: Date.parse(e.updatedAt), stages: e.stages });
    cursor = res.body.meta.hasMore ? res.body.meta.cursor : null;
  } while (cursor);
  return { rows, total, pages };
}

export interface BacklogReport {
  /** Messages whose reply arrived. */
  replied: number;
  /** Of those, rows found in the store by the scan started right after the last reply. */
  stored: number;
  /** Of those, rows not yet `sent` (or another final status) in that scan. */
  notFinal: number;
  /** Rows with a final status other than `sent`. */
  notSent: number;
  /** How long the scan right after the last reply took (it runs while the last rows settle). */
  scanMs: number;
  /** Per message: the row's last write (`updatedAt`) minus the moment its reply arrived, in ms. */
  finalLagMs: LatencySummary;
  /** The last row's final write minus the last reply's arrival (0 when it came before): how far persistence trails. */
  settledAfterMs: number;
  /** Where the time went inside the hub, from the rows' stages. */
  stages?: StageBreakdown;
}

/**
 * "No persistence backlog": right after the last reply, are the inbound rows of every answered
 * message stored and final? Then scans again until they all are, to report how long that took,
 * and compares each row's last write with its reply's arrival.
 */
export async function checkBacklog(client: HttpClient, hubUrl: string, instanceId: string, delivered: readonly Delivered[], lastReplyAt: number, timeoutMs = 120_000): Promise<BacklogReport> {
  const scanStarted = Date.now();
  const first = await scanInbound(client, hubUrl, instanceId);
  const scanMs = Date.now() - scanStarted;
  const rows = first.rows;
  const stored = delivered.filter((d) => rows.has(d.eventId)).length;
  let pending = delivered.filter((d) => !FINAL.has(rows.get(d.eventId)?.status ?? 'missing')).map((d) => d.eventId);
  const notFinal = pending.length;
  // Wait for the stragglers one by one (a full rescan of thousands of rows would take longer than they do).
  while (pending.length > 0) {
    if (Date.now() - lastReplyAt > timeoutMs) throw new Error(`${pending.length} inbound rows still not final ${timeoutMs} ms after the last reply`);
    await sleep(10);
    const still: string[] = [];
    for (const id of pending) {
      const res = await client.get(`${hubUrl}/api/v2/events/${id}`, hubAuth);
      if (res.status === 200) rows.set(id, { status: res.body.status, updatedAt: Date.parse(res.body.updatedAt), stages: res.body.stages });
      if (!FINAL.has(rows.get(id)?.status ?? 'missing')) still.push(id);
    }
    pending = still;
  }
  const finalRows = delivered.map((d) => rows.get(d.eventId)!);
  return {
    replied: delivered.length,
    stored,
    notFinal,
    notSent: finalRows.filter((r) => r.status !== 'sent').length,
    scanMs,
    finalLagMs: summarize(delivered.map((d, i) => finalRows[i]!.updatedAt - d.repliedAt)),
    settledAfterMs: Math.max(0, Math.max(...finalRows.map((r) => r.updatedAt)) - lastReplyAt),
    stages: stageBreakdown(finalRows),
  };
}
