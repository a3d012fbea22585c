export { createOmniClient, type OmniClient, type OmniClientOptions } from './omni-client.js';
export { OmniApiError, unwrap } from './api-error.js';
export type { ApiPath, QueryParams, RequestBody, ResponseBody } from './api-types.js';
export type { paths, components, operations } from './generated/openapi.js';
export type * from './types.js';
