import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestKernel, TestHttpClient, type TestKernel } from '@omni/plugin-sdk/testing';
import { createHttpApp } from '../create-http-app.js';
import type { RouteDefinition } from '../route.js';
import { buildOpenApiDocument, toOpenApiPath } from './build-openapi-document.js';
import { openApiStructureProblems } from './openapi-structure.js';
import { SWAGGER_UI_FILES, swaggerUiDir } from './swagger-ui-assets.js';

type Json = Record<string, any>;

describe('GET /api/v2/openapi.json and the docs page', () => {
  let tk: TestKernel;
  let anonymous: TestHttpClient;
  let doc: Json;
  let routes: readonly RouteDefinition[];
  /** What the router really serves: every (method, path) of its layers. */
  let mounted: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    tk = await startTestKernel({ plugins: [] });
    anonymous = new TestHttpClient(tk.url);
    // The same composition the running server mounted; its router is the ground truth of "mounted".
    const http = createHttpApp(tk.kernel);
    routes = http.routes;
    const router = http.app.middleware.map((m) => (m as { router?: Router }).router).find((r) => r !== undefined);
    expect(router, 'the app mounts a @koa/router').toBeDefined();
    mounted = router!.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => ({ method: m.toLowerCase(), path: String(layer.path) })));
    const res = await anonymous.get('/api/v2/openapi.json');
    expect(res.status, 'the document is public').toBe(200);
    doc = res.body;
  });
  afterAll(() => tk?.stop());

  const operations = () => Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.keys(item).map((method) => `${method} ${path}`));

  it('builds from the live route list (a schema zod-openapi cannot render fails here, with its reason)', () => {
    expect(() => buildOpenApiDocument(routes, { title: 'Omni API', version: 'test' })).not.toThrow();
  });

  it('documents every mounted route, and nothing else', () => {
    expect(mounted.length).toBeGreaterThan(40);
    const undocumented = mounted.filter(({ method, path }) => !doc.paths[toOpenApiPath(path)]?.[method]);
    expect(undocumented).toEqual([]);
    expect(operations().sort()).toEqual(mounted.map(({ method, path }) => `${method} ${toOpenApiPath(path)}`).sort());
  });

  it('describes each operation from its route definition', () => {
    for (const route of routes) {
      const operation = doc.paths[toOpenApiPath(route.path)][route.method];
      const where = `${route.method} ${route.path}`;
      expect(operation.summary, where).toBe(route.summary);
      expect(operation.tags, where).toEqual(route.tags);
      if (route.public || route.internal) expect(operation.security, where).toEqual([]);
      else expect(operation.security, where).toEqual([{ ApiKeyHeader: [] }, { BearerAuth: [] }]);
      expect(operation['x-required-scope'], where).toBe(route.scope);
      if (route.scope) expect(operation.description, where).toContain(`\`${route.scope}\``);
      const hasBody = !('raw' in route) && route.body !== undefined;
      expect(operation.requestBody !== undefined, where).toBe(hasBody);
      if (hasBody) expect(operation.responses['415'], where).toEqual({ $ref: '#/components/responses/UnsupportedMediaType' });
      if (!route.public && !route.internal) expect(operation.responses['401'], where).toEqual({ $ref: '#/components/responses/Unauthorized' });
      if (!('raw' in route)) expect(operation.responses[String(route.status ?? 200)].content['application/json'].schema, where).toBeDefined();
    }
  });

  it('declares both API key schemes and the shared error envelope', () => {
    expect(doc.components.securitySchemes).toEqual({
      ApiKeyHeader: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
      BearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    expect(doc.components.schemas.ErrorEnvelope).toMatchObject({ type: 'object', required: ['error'], properties: { error: { required: ['code', 'message'] } } });
    for (const status of ['400', '401', '403', '404', '409', '413', '415', '422', '429']) {
      const used = operations().some((op) => {
        const [method, path] = op.split(' ') as [string, string];
        return doc.paths[path][method].responses[status] !== undefined;
      });
      expect(used, `some operation documents ${status}`).toBe(true);
    }
  });

  it('is valid OpenAPI 3.1 by structure', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(openApiStructureProblems(doc)).toEqual([]);
  });

  it('serves the docs page with only local assets, under a self-only policy', async () => {
    const res = await anonymous.get('/api/v2/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    const html = res.body as string;
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html, 'no inline script').not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html, 'no inline style').not.toMatch(/<style|\sstyle=/);
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(4);
    for (const reference of references) expect(reference).toMatch(/^\/api\/v2\/docs\/assets\/[\w.-]+$/);

    for (const reference of references) {
      const asset = await fetch(new URL(reference, tk.url));
      const name = reference.split('/').pop()!;
      expect(asset.status, reference).toBe(200);
      const bytes = Buffer.from(await asset.arrayBuffer());
      if (name === 'docs-init.js') {
        const script = bytes.toString('utf8');
        expect(script).toContain('"/api/v2/openapi.json"');
        expect(script).not.toMatch(/https?:\/\//);
        expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
      } else {
        // Byte for byte the file of the installed swagger-ui-dist package.
        expect(bytes.equals(await readFile(join(swaggerUiDir(), name))), reference).toBe(true);
        expect(asset.headers.get('content-type'), reference).toBe(SWAGGER_UI_FILES[name]);
      }
    }
  });

  it('serves no other file, however the name is spelled', async () => {
    for (const name of ['package.json', 'swagger-initializer.js', '..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json', 'index.html']) {
      const res = await anonymous.get(`/api/v2/docs/assets/${name}`);
      expect(res.status, name).toBe(404);
      expect(res.body.error.code, name).toBe('NOT_FOUND');
    }
  });
});
