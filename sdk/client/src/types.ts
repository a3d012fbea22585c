/** Named shapes of the v2 API, taken from the generated OpenAPI types (see `generated/openapi.d.ts`). */
import type { ResponseBody } from './api-types.js';

export type Health = ResponseBody<'/api/v2/health', 'get'>;
export type Info = ResponseBody<'/api/v2/info', 'get'>;
export type Channel = ResponseBody<'/api/v2/channels/{id}', 'get'>;
export type ChannelCapabilities = Channel['capabilities'];
export type SupportedChannel = ResponseBody<'/api/v2/instances/supported-channels', 'get'>['items'][number];
export type Plugin = ResponseBody<'/api/v2/plugins/{id}', 'get'>;
export type Instance = ResponseBody<'/api/v2/instances/{id}', 'get'>;
export type InstanceStatus = ResponseBody<'/api/v2/instances/{id}/status', 'get'>;
export type SendResult = ResponseBody<'/api/v2/messages', 'post'>;
export type OmniEvent = ResponseBody<'/api/v2/events/{id}', 'get'>;
export type Person = ResponseBody<'/api/v2/persons/{id}', 'get'>;
export type AccessRule = ResponseBody<'/api/v2/access/rules/{id}', 'get'>;
export type Provider = ResponseBody<'/api/v2/providers/{id}', 'get'>;
export type ApiKey = ResponseBody<'/api/v2/api-keys/{id}', 'get'>;
export type CreatedApiKey = ResponseBody<'/api/v2/api-keys', 'post'>;
export type ErrorEnvelope = import('./generated/openapi.js').components['schemas']['ErrorEnvelope'];
