export { createOmniClient, OmniApiError, type OmniClient, type OmniClientOptions } from './omni-client.js';
export type * from './types.js';
