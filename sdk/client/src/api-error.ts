/** An error answer from the API, carrying the envelope's `{ error: { code, message, details } }`. */
export class OmniApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'OmniApiError';
  }

  /** The error of a non-2xx answer from its parsed body: the envelope when there is one, else a generic `HTTP <status>`. */
  static fromResponse(response: Response, body: unknown): OmniApiError {
    const envelope = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null | undefined)?.error;
    const code = typeof envelope?.code === 'string' ? envelope.code : 'UNKNOWN';
    const message = typeof envelope?.message === 'string' ? envelope.message : `HTTP ${response.status}${typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : ''}`;
    return new OmniApiError(response.status, code, message, envelope?.details);
  }
}

/** What every openapi-fetch call resolves to. */
interface FetchResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/**
 * The data of a `client.raw` call, or an {@link OmniApiError} when the answer is not 2xx:
 * `const event = await unwrap(client.raw.GET('/api/v2/events/{id}', { params: { path: { id } } }))`.
 */
export async function unwrap<D>(pending: Promise<FetchResult<D>>): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok) throw OmniApiError.fromResponse(response, error);
  return data as D;
}
