import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fetchOpenApiDocument, openApiTypesOf, REGENERATE_COMMAND, TYPES_FILE } from '../scripts/build-openapi-types.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated OpenAPI types', () => {
  it(`match the current routes (after a route change, run \`${REGENERATE_COMMAND}\`)`, async () => {
    const fresh = await openApiTypesOf(await fetchOpenApiDocument());
    const committed = await readFile(join(packageDir, TYPES_FILE), 'utf8').catch(() => '');
    expect(committed === fresh, `sdk/client/${TYPES_FILE} is stale: run \`${REGENERATE_COMMAND}\` and commit the result`).toBe(true);
  });
});
