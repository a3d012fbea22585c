import { z } from 'zod';
import { OmniError } from '@omni/plugin-sdk';
import { OMNI_VERSION } from '../../version.js';
import { defineRoute, type RouteDefinition } from '../route.js';
import { buildOpenApiDocument, type ApiInfo, type OpenApiDocument } from './build-openapi-document.js';
import { DOCS_CONTENT_SECURITY_POLICY, docsInitScript, docsPageHtml } from './docs-page.js';
import { readSwaggerUiAsset } from './swagger-ui-assets.js';

export const OPENAPI_PATH = '/api/v2/openapi.json';
export const DOCS_PATH = '/api/v2/docs';
export const DOCS_ASSETS_PATH = `${DOCS_PATH}/assets`;

/** The top of an OpenAPI document; the rest is described by the OpenAPI 3.1 specification itself. */
const openApiDocumentSchema = z
  .object({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.object({ title: z.string(), version: z.string() }).loose(),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.record(z.string(), z.record(z.string(), z.unknown())),
  })
  .loose();

export interface OpenApiRouteOptions {
  /** The final list of mounted routes, read when the document is first asked for (so routes added later are in it). */
  routes: () => readonly RouteDefinition[];
  info?: ApiInfo;
}

/** `GET /api/v2/openapi.json`, the docs page at `GET /api/v2/docs` and its assets, all public. */
export const openApiRoutes = ({ routes, info = { title: 'Omni API', version: OMNI_VERSION } }: OpenApiRouteOptions): RouteDefinition[] => {
  let document: OpenApiDocument | undefined;
  const initScript = Buffer.from(docsInitScript(OPENAPI_PATH));
  const page = docsPageHtml(DOCS_ASSETS_PATH);
  return [
    defineRoute({
      method: 'get',
      path: OPENAPI_PATH,
      summary: 'This API as an OpenAPI 3.1 document, generated from the schemas the routes validate with',
      tags: ['docs'],
      public: true,
      response: openApiDocumentSchema,
      handler: () => (document ??= buildOpenApiDocument(routes(), info)) as z.input<typeof openApiDocumentSchema>,
    }),
    defineRoute({
      method: 'get',
      path: DOCS_PATH,
      summary: 'API reference page (Swagger UI, served from this server)',
      tags: ['docs'],
      public: true,
      raw: true,
      handler: async (ctx) => {
        ctx.set({ 'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' });
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = page;
      },
    }),
    defineRoute({
      method: 'get',
      path: `${DOCS_ASSETS_PATH}/:file`,
      summary: 'Scripts, styles and icons of the API reference page',
      tags: ['docs'],
      public: true,
      raw: true,
      params: z.object({ file: z.string().min(1).max(64) }),
      handler: async (ctx) => {
        const file = String(ctx.params.file);
        const asset = file === 'docs-init.js' ? { body: Promise.resolve(initScript), type: 'text/javascript; charset=utf-8' } : readSwaggerUiAsset(file);
        if (!asset) throw new OmniError('NOT_FOUND', `no docs asset named ${file}`);
        const body = await asset.body;
        ctx.set({ 'Content-Security-Policy': DOCS_CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'public, max-age=86400' });
        ctx.type = asset.type;
        ctx.body = body;
      },
    }),
  ];
};
