import { waitFor } from './wait-for.js';

/** A running Omni: a spawned process (`spawnOmni`) or an in-process test kernel (`startTestKernel`). */
export interface OmniTarget {
  url: string;
  apiKey: string;
}

/** One answer of the HTTP API: the status, the body (parsed when it is JSON, else text) and the raw text for failure messages. */
export interface ApiAnswer {
  status: number;
  body: any;
  raw: string;
}

/** An event as the events API lists it; tests read the other fields as they need them. */
export type ListedEvent = { id: string; externalId: string; status: string; traceId: string } & Record<string, any>;

/** The statuses an event ends in. */
export const FINISHED_STATUSES = ['sent', 'failed', 'blocked', 'skipped'] as const;

/**
 * The public HTTP API of a running Omni, with its admin key, and the waits channel tests share.
 * `target` may be a function, for a process that a test restarts (a new URL and key each time).
 */
export function omniApi(target: OmniTarget | (() => OmniTarget)) {
  const current = typeof target === 'function' ? target : () => target;

  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const { url, apiKey } = current();
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const raw = await res.text();
    return { status: res.status, body: raw && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(raw) : raw, raw };
  };

  /** A GET whose answer must be 200: anything else fails the test with the answer's text. */
  const get = async (path: string) => {
    const answer = await api('GET', path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${answer.raw}`);
    return answer.body;
  };

  /** The instance's connection status. */
  const status = (instanceId: string) => get(`/api/v2/instances/${instanceId}/status`);

  /** Waits until the instance reports `state`, and returns that status. */
  const waitForState = (instanceId: string, state: string, timeoutMs = 15_000) =>
    waitFor(`instance ${instanceId} ${state}`, async () => {
      const s = await status(instanceId);
      return s.state === state ? s : undefined;
    }, timeoutMs);

  /**
   * Waits until the instance's inbound events list one whose external id is `externalId` (or
   * passes it, when a function) with one of `statuses` (default `sent`; `'any'`: as soon as it is
   * listed at all), and returns the listed event.
   */
  const inboundEvent = (
    instanceId: string,
    externalId: string | ((externalId: string) => boolean),
    options: { statuses?: readonly string[] | 'any'; timeoutMs?: number } = {},
  ) => {
    const statuses = options.statuses ?? ['sent'];
    const matches = typeof externalId === 'function' ? externalId : (id: string) => id === externalId;
    return waitFor(`inbound event ${typeof externalId === 'function' ? 'matching' : externalId}`, async () => {
      const list = await get(`/api/v2/events?instanceId=${instanceId}&direction=inbound&limit=100`);
      return (list.items as ListedEvent[]).find((e) => matches(e.externalId) && (statuses === 'any' || statuses.includes(e.status)));
    }, options.timeoutMs ?? 15_000);
  };

  /** Waits until the event has finished (sent, failed, blocked or skipped), and returns its full record with stages and trace. */
  const finishedEvent = (eventId: string, timeoutMs = 10_000) =>
    waitFor(`event ${eventId} to finish`, async () => {
      const event = await get(`/api/v2/events/${eventId}`);
      return (FINISHED_STATUSES as readonly string[]).includes(event.status) ? event : undefined;
    }, timeoutMs);

  /** The bytes of stored media, fetched with the API key. */
  const media = async (storageKey: string) => {
    const { url, apiKey } = current();
    const res = await fetch(`${url}/api/v2/media/${storageKey}`, { headers: { 'x-api-key': apiKey } });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
  };

  return { api, get, status, waitForState, inboundEvent, finishedEvent, media };
}
