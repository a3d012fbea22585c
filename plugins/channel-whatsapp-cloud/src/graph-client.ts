import type { WhatsAppCloudConfig } from './instance-config.js';

/** Meta answered with an error: its HTTP status and the fields of `{error: {...}}`. */
export class GraphApiError extends Error {
  override readonly name = 'GraphApiError';
  constructor(
    readonly status: number,
    readonly code: number | undefined,
    message: string,
    readonly details?: string,
    /** From a `Retry-After` header, when Meta sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The Graph API could not be reached, or did not answer in time. */
export class GraphUnreachableError extends Error {
  override readonly name = 'GraphUnreachableError';
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export interface GraphClient {
  /** GET `/{version}/{path}`. */
  get<T>(path: string): Promise<T>;
  /** POST JSON to `/{version}/{path}`. */
  post<T>(path: string, body: unknown): Promise<T>;
  /** POST multipart form data to `/{version}/{path}`. */
  postForm<T>(path: string, form: FormData): Promise<T>;
  /** GET an absolute URL Meta handed out (a media URL) with the Bearer token; the bytes and their type. */
  download(url: string, maxBytes: number): Promise<{ bytes: Uint8Array; contentType: string | undefined }>;
}

type GraphErrorJson = { error?: { message?: unknown; code?: unknown; error_data?: { details?: unknown }; error_user_msg?: unknown } };

async function errorOf(res: Response): Promise<GraphApiError> {
  const text = await res.text().catch(() => '');
  let parsed: GraphErrorJson = {};
  try {
    parsed = JSON.parse(text) as GraphErrorJson;
  } catch {
    // Not Meta's JSON (a proxy's page): keep the status.
  }
  const e = parsed.error ?? {};
  const retryAfter = Number(res.headers.get('retry-after'));
  return new GraphApiError(
    res.status,
    typeof e.code === 'number' ? e.code : undefined,
    typeof e.message === 'string' && e.message ? e.message : `Graph API answered HTTP ${res.status}`,
    typeof e.error_data?.details === 'string' ? e.error_data.details : typeof e.error_user_msg === 'string' ? e.error_user_msg : undefined,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
  );
}

/** A small fetch client for one instance's Graph API: Bearer auth, timeouts, Meta's errors as GraphApiError. */
export function createGraphClient(config: Pick<WhatsAppCloudConfig, 'graphBaseUrl' | 'apiVersion' | 'accessToken' | 'timeoutMs'>): GraphClient {
  const auth = { authorization: `Bearer ${config.accessToken}` };

  async function call(url: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { ...auth, ...(init.headers as Record<string, string> | undefined) }, signal: AbortSignal.timeout(config.timeoutMs) });
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError';
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new GraphUnreachableError(timedOut ? `the Graph API did not answer within ${config.timeoutMs} ms` : `could not reach the Graph API: ${cause ?? (err as Error).message}`, timedOut);
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }
  const json = async <T>(res: Response) => (await res.json()) as T;
  const api = (path: string) => `${config.graphBaseUrl}/${config.apiVersion}/${path.replace(/^\//, '')}`;

  return {
    get: async (path) => json(await call(api(path), { method: 'GET' })),
    post: async (path, body) => json(await call(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
    postForm: async (path, form) => json(await call(api(path), { method: 'POST', body: form })),
    async download(url, maxBytes) {
      const res = await call(url, { method: 'GET' });
      const length = Number(res.headers.get('content-length'));
      if (Number.isFinite(length) && length > maxBytes) throw new GraphApiError(413, undefined, `media is ${length} bytes, over the ${maxBytes} byte limit`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > maxBytes) throw new GraphApiError(413, undefined, `media is ${bytes.length} bytes, over the ${maxBytes} byte limit`);
      return { bytes, contentType: res.headers.get('content-type') ?? undefined };
    },
  };
}
