import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The files of the swagger-ui-dist package the docs page uses, with their content types. */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

let packageDir: string | undefined;
const cache = new Map<string, Promise<Buffer>>();

/** Where swagger-ui-dist is installed, found through Node's resolution (works from src and from dist). */
export function swaggerUiDir(): string {
  return (packageDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json')));
}

/** One allow-listed file of swagger-ui-dist, read once and kept; undefined for any other name. */
export function readSwaggerUiAsset(name: string): { body: Promise<Buffer>; type: string } | undefined {
  if (!Object.hasOwn(SWAGGER_UI_FILES, name)) return undefined;
  let body = cache.get(name);
  if (!body) {
    body = readFile(join(swaggerUiDir(), name));
    // A failed read is not kept: the next request tries again.
    body.catch(() => cache.delete(name));
    cache.set(name, body);
  }
  return { body, type: SWAGGER_UI_FILES[name]! };
}
