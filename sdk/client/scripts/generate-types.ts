/**
 * Regenerates src/generated/openapi.d.ts (and openapi.json) from the current route schemas.
 * Run from the repository root: `npm run generate -w @omni/client`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_FILE, fetchOpenApiDocument, openApiTypesOf, TYPES_FILE } from './build-openapi-types.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const document = await fetchOpenApiDocument();
const types = await openApiTypesOf(document);
await mkdir(dirname(join(packageDir, TYPES_FILE)), { recursive: true });
await writeFile(join(packageDir, TYPES_FILE), types);
await writeFile(join(packageDir, DOCUMENT_FILE), `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${TYPES_FILE} (${Object.keys(document.paths ?? {}).length} paths) and ${DOCUMENT_FILE}`);
