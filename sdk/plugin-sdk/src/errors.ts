/** Error codes shared by the API envelope `{error:{code,message,details}}`. */
export type OmniErrorCode =
  | 'VALIDATION_ERROR'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'CAPABILITY_NOT_SUPPORTED'
  | 'RATE_LIMITED'
  | 'PLATFORM_ERROR'
  | 'PLUGIN_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'INTERNAL_ERROR';

const DEFAULT_STATUS: Record<OmniErrorCode, number> = {
  VALIDATION_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CAPABILITY_NOT_SUPPORTED: 422,
  RATE_LIMITED: 429,
  PLATFORM_ERROR: 502,
  PLUGIN_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
};

/**
 * An error with a stable code. Thrown anywhere (kernel, routes, plugins), it is
 * turned into the API error envelope with the matching HTTP status.
 */
export class OmniError extends Error {
  readonly code: OmniErrorCode;
  readonly status: number;
  readonly details: unknown;

  constructor(code: OmniErrorCode, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OmniError';
    this.code = code;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.details = options.details;
  }
}

export const isOmniError = (err: unknown): err is OmniError =>
  err instanceof OmniError ||
  (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'OmniError' && typeof (err as { code?: unknown }).code === 'string');
