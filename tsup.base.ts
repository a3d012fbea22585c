import { defineConfig, type Options } from 'tsup';

/** Shared build: ESM with declarations; workspace siblings and dependencies stay external. */
export const packageBuild = (entry: Options['entry'], extra: Options = {}) =>
  defineConfig({
    entry,
    format: ['esm'],
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
    tsconfig: new URL('./tsconfig.build.json', import.meta.url).pathname,
    ...extra,
  });
