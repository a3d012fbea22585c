import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineRoute, type RouteDefinition } from '../route.js';
import { buildOpenApiDocument, toOpenApiPath } from './build-openapi-document.js';
import { openApiStructureProblems } from './openapi-structure.js';

const item = z.object({ id: z.string(), size: z.number().int().default(1) });

const routes: RouteDefinition[] = [
  defineRoute({ method: 'get', path: '/api/v2/health', summary: 'Health', tags: ['system'], public: true, response: z.object({ ok: z.boolean() }), handler: () => ({ ok: true }) }),
  defineRoute({
    method: 'post',
    path: '/api/v2/things',
    summary: 'Create a thing',
    tags: ['things'],
    scope: 'instances:write',
    body: z.object({ name: z.string(), size: z.number().int().default(1) }),
    response: item,
    status: 201,
    handler: () => ({ id: 'x', size: 1 }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v2/things/:id/parts/:partId',
    summary: 'One part',
    tags: ['things'],
    scope: 'instances:read',
    params: z.object({ id: z.string().max(10) }),
    query: z.object({ verbose: z.enum(['true', 'false']).optional() }),
    response: item,
    handler: () => ({ id: 'x', size: 1 }),
  }),
  defineRoute({ method: 'post', path: '/api/v2/hooks/:channel', summary: 'A webhook', tags: ['webhooks'], public: true, rateLimited: false, raw: true, handler: async () => undefined }),
  defineRoute({ method: 'get', path: '/api/v2/_internal/health', summary: 'Internal health', tags: ['internal'], internal: true, response: z.object({ ok: z.boolean() }), handler: () => ({ ok: true }) }),
];

const doc = buildOpenApiDocument(routes, { title: 'Test API', version: '1.2.3' }) as Record<string, any>;
const op = (method: string, path: string) => doc.paths[path][method];
const statuses = (method: string, path: string) => Object.keys(op(method, path).responses);

describe('buildOpenApiDocument', () => {
  it('writes a 3.1 document with koa paths in OpenAPI form', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Test API', version: '1.2.3' });
    expect(toOpenApiPath('/api/v2/things/:id/parts/:partId')).toBe('/api/v2/things/{id}/parts/{partId}');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v2/_internal/health', '/api/v2/health', '/api/v2/hooks/{channel}', '/api/v2/things', '/api/v2/things/{id}/parts/{partId}']);
    expect(openApiStructureProblems(doc)).toEqual([]);
  });

  it('declares every path parameter, validated or not, and the query', () => {
    expect(op('get', '/api/v2/things/{id}/parts/{partId}').parameters).toEqual([
      { in: 'path', name: 'id', required: true, schema: { type: 'string', maxLength: 10 } },
      { in: 'path', name: 'partId', required: true, schema: { type: 'string' } },
      { in: 'query', name: 'verbose', schema: { type: 'string', enum: ['true', 'false'] } },
    ]);
    expect(op('post', '/api/v2/hooks/{channel}').parameters).toEqual([{ in: 'path', name: 'channel', required: true, schema: { type: 'string' } }]);
  });

  it('renders request bodies as their input and responses as their output', () => {
    const create = op('post', '/api/v2/things');
    expect(create.requestBody.required).toBe(true);
    const body = create.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['name']); // size has a default: the caller may leave it out
    const response = create.responses['201'].content['application/json'].schema;
    expect(response.required).toEqual(['id', 'size']); // ...and the answer always has it
    expect(response.additionalProperties).toBe(false);
  });

  it('puts API key security and the scope on guarded routes only', () => {
    expect(op('post', '/api/v2/things').security).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }]);
    expect(op('post', '/api/v2/things')['x-required-scope']).toBe('instances:write');
    expect(op('post', '/api/v2/things').description).toContain('`instances:write`');
    expect(op('get', '/api/v2/health').security).toEqual([]);
    expect(op('get', '/api/v2/health')['x-required-scope']).toBeUndefined();
    expect(op('get', '/api/v2/_internal/health').security).toEqual([]);
    expect(op('get', '/api/v2/_internal/health').description).toMatch(/loopback/);
  });

  it('lists the error answers each route can give, as shared envelope responses', () => {
    // Health answers 503 with its own body when unhealthy.
    expect(statuses('get', '/api/v2/health')).toEqual(['200', '429', '500', '503']);
    expect(op('get', '/api/v2/health').responses['503'].content).toEqual(op('get', '/api/v2/health').responses['200'].content);
    expect(statuses('post', '/api/v2/things')).toEqual(['201', '400', '401', '403', '409', '413', '415', '429', '500']);
    expect(statuses('get', '/api/v2/things/{id}/parts/{partId}')).toEqual(['200', '400', '401', '403', '404', '429', '500']);
    expect(statuses('post', '/api/v2/hooks/{channel}')).toEqual(['200', '404', '500']);
    expect(statuses('get', '/api/v2/_internal/health')).toEqual(['200', '403', '500', '503']);
    expect(op('post', '/api/v2/things').responses['415']).toEqual({ $ref: '#/components/responses/UnsupportedMediaType' });
    expect(doc.components.responses.UnsupportedMediaType.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorEnvelope' });
    expect(doc.components.responses.RateLimited.headers).toHaveProperty('Retry-After');
  });

  it('announces rate-limit headers only where requests are counted', () => {
    expect(Object.keys(op('get', '/api/v2/health').responses['200'].headers)).toEqual(['x-request-id', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']);
    expect(Object.keys(op('post', '/api/v2/hooks/{channel}').responses['200'].headers)).toEqual(['x-request-id']);
  });

  it('gives every operation a unique id', () => {
    const ids = Object.values(doc.paths).flatMap((item: any) => Object.values(item).map((o: any) => o.operationId));
    expect(ids).toEqual(['getHealth', 'postThings', 'getThingsByIdPartsByPartId', 'postHooksByChannel', 'getInternalHealth']);
  });
});
