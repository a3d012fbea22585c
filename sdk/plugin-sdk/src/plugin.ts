import { z } from 'zod';
import type { AgentProvider, AgentProviderDescriptor } from './agent.js';
import type { ChannelAdapter, ChannelDescriptor } from './channel.js';
import type { ChannelCapabilities } from './capabilities.js';
import type { OmniServices, ServiceName } from './services.js';

export const PLUGIN_KINDS = ['channel', 'agent-provider', 'media-processor', 'extension'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

type Awaitable<T> = T | Promise<T>;

/** What setup receives: the plugin's validated config and only the services it declared. */
export interface SetupContext<S extends readonly ServiceName[], C extends z.ZodType> {
  pluginId: string;
  config: z.output<C>;
  services: Pick<OmniServices, S[number]>;
}

export interface PluginRuntime {
  /** Called when the plugin stops (kernel shutdown or disable). */
  stop?(): Awaitable<void>;
}

export interface ChannelPluginRuntime<TInstanceConfig = unknown> extends PluginRuntime {
  adapter: ChannelAdapter<TInstanceConfig>;
}

interface PluginDefinitionBase<S extends readonly ServiceName[], C extends z.ZodType> {
  /** Kebab-case, unique: `channel-discord`, `agent-agno`. */
  id: string;
  /** The plugin's own semver version. */
  version: string;
  description?: string;
  /** The plugin API versions this plugin works with, as a semver range: `{ sdk: '^1.0.0' }`. */
  compat: { sdk: string };
  /** Ids of plugins that must be running before this one starts. */
  dependsOn?: readonly string[];
  /** The services setup receives. */
  services?: S;
  /** Validates the plugin's config before any plugin code runs. */
  config?: C;
  /** How long setup may take before the plugin is marked failed (default: the kernel's, 10 s). */
  setupTimeoutMs?: number;
  /** Runtime-editable settings the plugin contributes, listed as `plugin.<id>.<key>` under `/api/v2/settings`. */
  settings?: readonly PluginSettingDeclaration[];
}

export const SETTING_VALUE_TYPES = ['string', 'integer', 'number', 'boolean', 'json', 'secret'] as const;
export type SettingValueType = (typeof SETTING_VALUE_TYPES)[number];

/** One setting a plugin contributes. Its full key is `plugin.<pluginId>.<key>`. */
export interface PluginSettingDeclaration {
  /** Lowercase, digits, `_`, `-` and `.`: `api_token`, `limits.max_size`. */
  key: string;
  /** `secret` values are encrypted at rest and masked in every response. */
  valueType: SettingValueType;
  /** Default: the plugin id. */
  category?: string;
  description: string;
  /** Used until someone sets a value; must pass `schema`. Secrets usually have none. */
  default?: unknown;
  /** Validates a new value (after the value-type check). */
  schema?: z.ZodType;
  /** Mask the value even though its type is not `secret`. */
  secret?: boolean;
}

export interface ChannelPluginDefinition<
  S extends readonly ServiceName[] = readonly ServiceName[],
  C extends z.ZodType = z.ZodType,
  IC extends z.ZodType = z.ZodType,
> extends PluginDefinitionBase<S, C> {
  kind: 'channel';
  channel: Omit<ChannelDescriptor<IC>, 'capabilities'>;
  capabilities: ChannelCapabilities;
  setup(ctx: SetupContext<S, C>): Awaitable<ChannelPluginRuntime<z.output<IC>>>;
}

export interface AgentProviderPluginRuntime extends PluginRuntime {
  provider: AgentProvider;
}

export interface AgentProviderPluginDefinition<S extends readonly ServiceName[] = readonly ServiceName[], C extends z.ZodType = z.ZodType>
  extends PluginDefinitionBase<S, C> {
  kind: 'agent-provider';
  provider: AgentProviderDescriptor;
  capabilities?: { streaming: boolean; listAgents: boolean; health: boolean };
  setup(ctx: SetupContext<S, C>): Awaitable<AgentProviderPluginRuntime>;
}

export interface GenericPluginDefinition<S extends readonly ServiceName[] = readonly ServiceName[], C extends z.ZodType = z.ZodType>
  extends PluginDefinitionBase<S, C> {
  kind: 'media-processor' | 'extension';
  capabilities?: Record<string, unknown>;
  setup(ctx: SetupContext<S, C>): Awaitable<PluginRuntime | void>;
}

export type PluginDefinition = ChannelPluginDefinition<any, any, any> | AgentProviderPluginDefinition<any, any> | GenericPluginDefinition<any, any>;

/** Marks a value as an Omni plugin and checks its shape at compile time. */
export function definePlugin<const S extends readonly ServiceName[] = [], C extends z.ZodType = z.ZodObject<{}>, IC extends z.ZodType = z.ZodType>(
  definition: ChannelPluginDefinition<S, C, IC>,
): ChannelPluginDefinition<S, C, IC>;
export function definePlugin<const S extends readonly ServiceName[] = [], C extends z.ZodType = z.ZodObject<{}>>(
  definition: AgentProviderPluginDefinition<S, C>,
): AgentProviderPluginDefinition<S, C>;
export function definePlugin<const S extends readonly ServiceName[] = [], C extends z.ZodType = z.ZodObject<{}>>(
  definition: GenericPluginDefinition<S, C>,
): GenericPluginDefinition<S, C>;
export function definePlugin(definition: PluginDefinition): PluginDefinition {
  return Object.defineProperty(definition, PLUGIN_BRAND, { value: true, enumerable: false });
}

export const PLUGIN_BRAND = Symbol.for('omni.plugin');

const isZodSchema = (v: unknown) => typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function';

/**
 * The manifest part of a plugin definition, checked by the kernel before it runs any
 * of the plugin's code. Kind-specific parts (capabilities, channel) are checked after.
 */
export const pluginManifestSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'plugin ids are kebab-case'),
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/, 'version must be semver'),
  kind: z.enum(PLUGIN_KINDS),
  description: z.string().optional(),
  compat: z.object({ sdk: z.string().min(1) }),
  dependsOn: z.array(z.string()).optional(),
  services: z.array(z.string()).optional(),
  config: z.custom<z.ZodType>(isZodSchema, 'config must be a zod schema').optional(),
  setupTimeoutMs: z.number().int().positive().optional(),
  settings: z
    .array(
      z.object({
        key: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'setting keys are lowercase, digits, _, - and .').max(128),
        valueType: z.enum(SETTING_VALUE_TYPES),
        category: z.string().min(1).max(64).optional(),
        description: z.string(),
        default: z.unknown().optional(),
        schema: z.custom<z.ZodType>(isZodSchema, 'a setting schema must be a zod schema').optional(),
        secret: z.boolean().optional(),
      }),
    )
    .optional(),
  setup: z.custom<(...args: unknown[]) => unknown>((v) => typeof v === 'function', 'setup must be a function'),
});

export const channelDescriptorSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'channel ids are lowercase, digits and dashes'),
  name: z.string().min(1),
  description: z.string(),
  instanceConfig: z.custom<z.ZodType>(isZodSchema, 'instanceConfig must be a zod schema'),
  secretFields: z.array(z.string()).optional(),
});

export const agentProviderDescriptorSchema = z.object({
  type: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'provider types are lowercase, digits, _ and -'),
  name: z.string().min(1),
  description: z.string(),
});
