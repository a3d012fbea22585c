import { z } from 'zod';
import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { errorEnvelopeSchema } from '../error-envelope.js';
import type { RouteDefinition } from '../route.js';
import { ERROR_RESPONSES, errorStatusesOf, isRateLimited } from './route-errors.js';

export type OpenApiDocument = oas31.OpenAPIObject;

export interface ApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** `/api/v2/instances/:id` → `/api/v2/instances/{id}`. */
export const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

const pathParamNames = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!);

/** `get /api/v2/instances/:id/status` → `getInstancesByIdStatus`; other prefixes stay (`getApiV1Instances`). */
function operationIdOf(route: RouteDefinition): string {
  const words = route.path
    .replace(/^\/api\/v2(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[^A-Za-z0-9]+/)))
    .filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const SECURITY_SCHEMES: Record<string, oas31.SecuritySchemeObject> = {
  ApiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'An Omni API key in the `x-api-key` header' },
  BearerAuth: { type: 'http', scheme: 'bearer', description: 'The same API key as `Authorization: Bearer <key>`' },
};
const API_KEY_SECURITY: oas31.SecurityRequirementObject[] = [{ ApiKeyHeader: [] }, { BearerAuth: [] }];

const HEADERS: Record<string, oas31.HeaderObject> = {
  RequestId: { description: 'The request id (yours, if you sent `x-request-id`); every log line written while serving it has it', schema: { type: 'string' } },
  RateLimitLimit: { description: 'Requests allowed per window for this API key', schema: { type: 'integer' } },
  RateLimitRemaining: { description: 'Requests left in the current window', schema: { type: 'integer' } },
  RateLimitReset: { description: 'When the window resets (Unix time, seconds)', schema: { type: 'integer' } },
  RetryAfter: { description: 'Seconds until the window resets', schema: { type: 'integer' } },
};

const RATE_LIMIT_HEADERS = {
  'X-RateLimit-Limit': { $ref: '#/components/headers/RateLimitLimit' },
  'X-RateLimit-Remaining': { $ref: '#/components/headers/RateLimitRemaining' },
  'X-RateLimit-Reset': { $ref: '#/components/headers/RateLimitReset' },
};

const headersFor = (route: RouteDefinition) => ({
  'x-request-id': { $ref: '#/components/headers/RequestId' },
  ...(isRateLimited(route) ? RATE_LIMIT_HEADERS : {}),
});

/** Statuses a handler sets itself with the same body as its success: both health routes answer 503 when unhealthy. */
const SAME_BODY_STATUSES: Record<string, number[]> = {
  'get /api/v2/health': [503],
  'get /api/v2/_internal/health': [503],
};

const statusKey = (status: number) => String(status) as `${1 | 2 | 3 | 4 | 5}${string}`;

function successResponses(route: RouteDefinition): ZodOpenApiResponsesObject {
  const headers = headersFor(route);
  if ('raw' in route) {
    return { 200: { description: 'Answered by the handler itself (status, headers and body are its own)', headers } };
  }
  const content = { 'application/json': { schema: route.response as z.ZodType } };
  const responses: ZodOpenApiResponsesObject = { [statusKey(route.status ?? 200)]: { description: route.summary, headers, content } };
  for (const status of SAME_BODY_STATUSES[`${route.method} ${route.path}`] ?? []) responses[statusKey(status)] = { description: `${route.summary} (status ${status})`, headers, content };
  return responses;
}

function parametersOf(route: RouteDefinition): Pick<ZodOpenApiOperationObject, 'requestParams'> {
  const validated = route.params instanceof z.ZodObject ? (route.params.shape as Record<string, z.ZodType>) : {};
  // Every `{name}` of the path is declared, in path order, whether or not the route validates it.
  const names = pathParamNames(route.path);
  const path = names.length ? z.object(Object.fromEntries(names.map((name) => [name, validated[name] ?? z.string()]))) : undefined;
  const query = !('raw' in route) && route.query instanceof z.ZodObject ? route.query : undefined;
  return { requestParams: { ...(path ? { path } : {}), ...(query ? { query } : {}) } };
}

function operationOf(route: RouteDefinition): ZodOpenApiOperationObject {
  const { scope } = route;
  const notes = [
    route.public ? 'Public: no API key needed.' : undefined,
    route.internal ? 'Internal API: answered only to callers on a loopback address; no API key.' : undefined,
    scope ? `Requires scope \`${scope}\` (or its group's \`:*\`, or \`*\`).` : undefined,
  ].filter(Boolean);
  const responses = successResponses(route);
  for (const status of errorStatusesOf(route)) responses[statusKey(status)] = { $ref: `#/components/responses/${ERROR_RESPONSES[status].component}` };
  const body = 'raw' in route ? undefined : (route.body as z.ZodType | undefined);
  return {
    operationId: operationIdOf(route),
    summary: route.summary,
    ...(notes.length ? { description: notes.join(' ') } : {}),
    tags: route.tags,
    ...parametersOf(route),
    ...(body ? { requestBody: { required: !body.safeParse(undefined).success, content: { 'application/json': { schema: body } } } } : {}),
    responses,
    security: route.public || route.internal ? [] : API_KEY_SECURITY,
    ...(scope ? { 'x-required-scope': scope } : {}),
  };
}

function errorResponseComponents() {
  return Object.fromEntries(
    Object.values(ERROR_RESPONSES).map((spec) => [
      spec.component,
      {
        description: `${spec.description}. Codes: ${spec.codes.map((c) => `\`${c}\``).join(', ')}`,
        headers: {
          'x-request-id': { $ref: '#/components/headers/RequestId' },
          ...(spec.status === 429 ? { 'Retry-After': { $ref: '#/components/headers/RetryAfter' }, ...RATE_LIMIT_HEADERS } : {}),
        },
        content: {
          'application/json': {
            schema: errorEnvelopeSchema,
            examples: Object.fromEntries(spec.codes.map((code) => [code, { value: { error: { code, message: '…' } } }])),
          },
        },
      },
    ]),
  );
}

const DESCRIPTION = [
  'Omni, the omnichannel messaging hub: instances of channels, agents, messages and their traces.',
  '',
  '**Authentication.** Every operation not marked public needs an API key, sent as `x-api-key: <key>` or `Authorization: Bearer <key>`. ' +
    'A missing or unknown key gets 401 `UNAUTHORIZED`, a key without the scope gets 403 `FORBIDDEN`.',
  '',
  '**Errors.** Every error uses one envelope, `{"error": {"code", "message", "details"}}` (schema `ErrorEnvelope`).',
  '',
  '**Rate limits.** Requests are counted per API key (per address without one); answers carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset`, and over the limit get 429 `RATE_LIMITED` with `Retry-After`.',
].join('\n');

/**
 * The OpenAPI 3.1 document of the given routes, generated from the zod schemas they validate
 * with (zod-openapi: request schemas rendered as input, responses as output). Pure.
 */
export function buildOpenApiDocument(routes: readonly RouteDefinition[], info: ApiInfo): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operationOf(route);
  }
  const tags = [...new Set(routes.flatMap((r) => r.tags))].sort().map((name) => ({ name }));
  return createDocument({
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: info.description ?? DESCRIPTION },
    tags,
    paths,
    components: {
      schemas: { ErrorEnvelope: errorEnvelopeSchema },
      responses: errorResponseComponents(),
      headers: HEADERS,
      securitySchemes: SECURITY_SCHEMES,
    },
  });
}
