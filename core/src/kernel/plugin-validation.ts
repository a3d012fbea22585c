import semver from 'semver';
import type { z } from 'zod';
import {
  SDK_API_VERSION,
  agentProviderDescriptorSchema,
  channelCapabilitiesSchema,
  channelDescriptorSchema,
  pluginManifestSchema,
  type PluginDefinition,
} from '@omni/plugin-sdk';
import { pluginError, type PluginError } from './plugin-errors.js';

export type Validation<T> = { ok: true; value: T } | { ok: false; error: PluginError };

const issues = (error: z.ZodError) => error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
const describeIssues = (error: z.ZodError) => issues(error).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');

/** Manifest shape, plus the channel descriptor and capability object of channel plugins. Runs no plugin code. */
export function validateManifest(candidate: unknown, source: string): Validation<PluginDefinition> {
  const manifest = pluginManifestSchema.safeParse(candidate);
  if (!manifest.success) {
    return { ok: false, error: pluginError('PLUGIN_INVALID_MANIFEST', `plugin from ${source} has an invalid manifest: ${describeIssues(manifest.error)}`, issues(manifest.error)) };
  }
  const def = candidate as PluginDefinition;
  if (def.kind === 'channel') {
    const descriptor = channelDescriptorSchema.safeParse(def.channel);
    if (!descriptor.success) {
      return { ok: false, error: pluginError('PLUGIN_INVALID_MANIFEST', `plugin '${def.id}': invalid channel descriptor: ${describeIssues(descriptor.error)}`, issues(descriptor.error)) };
    }
    const caps = channelCapabilitiesSchema.safeParse(def.capabilities);
    if (!caps.success) {
      return { ok: false, error: pluginError('PLUGIN_INVALID_MANIFEST', `plugin '${def.id}': invalid capabilities: ${describeIssues(caps.error)}`, issues(caps.error)) };
    }
  }
  if (def.kind === 'agent-provider') {
    const descriptor = agentProviderDescriptorSchema.safeParse(def.provider);
    if (!descriptor.success) {
      return { ok: false, error: pluginError('PLUGIN_INVALID_MANIFEST', `plugin '${def.id}': invalid provider descriptor: ${describeIssues(descriptor.error)}`, issues(descriptor.error)) };
    }
  }
  return { ok: true, value: def };
}

/** The plugin's `compat.sdk` range must include the plugin API version this kernel implements. */
export function validateCompat(def: PluginDefinition, kernelApiVersion: string = SDK_API_VERSION): Validation<true> {
  const range = semver.validRange(def.compat.sdk);
  if (!range) {
    return { ok: false, error: pluginError('PLUGIN_INVALID_MANIFEST', `plugin '${def.id}': compat.sdk '${def.compat.sdk}' is not a semver range`) };
  }
  if (!semver.satisfies(kernelApiVersion, range, { includePrerelease: true })) {
    return {
      ok: false,
      error: pluginError(
        'PLUGIN_INCOMPATIBLE',
        `plugin '${def.id}' requires plugin API ${def.compat.sdk}, but this kernel implements plugin API ${kernelApiVersion}`,
        { required: def.compat.sdk, kernel: kernelApiVersion },
      ),
    };
  }
  return { ok: true, value: true };
}

export function validateServices(def: PluginDefinition, known: ReadonlySet<string>): Validation<readonly string[]> {
  const requested: readonly string[] = def.services ?? [];
  const unknown = requested.filter((s) => !known.has(s));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: pluginError('PLUGIN_UNKNOWN_SERVICE', `plugin '${def.id}' asks for unknown services: ${unknown.join(', ')} (known: ${[...known].join(', ')})`, { unknown }),
    };
  }
  return { ok: true, value: requested };
}

export function validateConfig(def: PluginDefinition, raw: unknown): Validation<unknown> {
  if (!def.config) return { ok: true, value: raw ?? {} };
  const parsed = (def.config as z.ZodType).safeParse(raw ?? {});
  if (!parsed.success) {
    return { ok: false, error: pluginError('PLUGIN_INVALID_CONFIG', `plugin '${def.id}' has invalid config: ${describeIssues(parsed.error)}`, issues(parsed.error)) };
  }
  return { ok: true, value: parsed.data };
}

export interface CandidateCheck {
  /** The id when the manifest has a usable one, else the source. */
  id: string;
  definition?: PluginDefinition;
  config?: unknown;
  error?: PluginError;
}

/** Every check that runs before plugin code, in order: load, manifest, compat, services, config. */
export function checkCandidate(
  candidate: { definition?: unknown; source: string; loadError?: string },
  pluginConfig: Record<string, unknown> | undefined,
  knownServices: ReadonlySet<string>,
): CandidateCheck {
  if (candidate.loadError !== undefined) {
    return { id: candidate.source, error: pluginError('PLUGIN_LOAD_FAILED', `could not load plugin from ${candidate.source}: ${candidate.loadError}`) };
  }
  const manifest = validateManifest(candidate.definition, candidate.source);
  if (!manifest.ok) {
    const rawId = (candidate.definition as { id?: unknown } | undefined)?.id;
    return { id: typeof rawId === 'string' && rawId ? rawId : candidate.source, error: manifest.error };
  }
  const def = manifest.value;
  for (const check of [validateCompat(def), validateServices(def, knownServices)]) {
    if (!check.ok) return { id: def.id, definition: def, error: check.error };
  }
  const config = validateConfig(def, pluginConfig?.[def.id]);
  return config.ok ? { id: def.id, definition: def, config: config.value } : { id: def.id, definition: def, error: config.error };
}
