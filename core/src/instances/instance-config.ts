import { z } from 'zod';

export const SESSION_STRATEGIES = ['per_user', 'per_chat', 'per_user_per_chat'] as const;

/** Seed defaults of an inline agent. An instance naming a provider falls back to the provider's defaults instead. */
export const AGENT_DEFAULTS = { timeout: 60_000, streaming: false } as const;

/** How the instance reaches its agent: a shared provider, or inline settings. */
export const agentConfigSchema = z
  .object({
    providerId: z.string().min(1).max(64).optional(),
    /** Inline: the provider type to call with (`agent_api`, `webhook`, `agno`). */
    providerType: z.string().min(1).max(64).optional(),
    apiUrl: z.string().url().max(2048).optional(),
    apiKey: z.string().max(4096).optional(),
    agentId: z.string().max(256).optional(),
    /** Unset: the provider's defaultTimeout with providerId, else AGENT_DEFAULTS.timeout. */
    timeout: z.number().int().min(100).max(600_000).optional(),
    /** Unset: the provider's defaultStreaming with providerId, else AGENT_DEFAULTS.streaming. */
    streaming: z.boolean().optional(),
    /** Which messages share an agent session. */
    sessionStrategy: z.enum(SESSION_STRATEGIES).default('per_user_per_chat'),
  })
  .refine((a) => !(a.providerId && a.apiUrl), 'set either providerId or apiUrl, not both');
export type AgentConfig = z.output<typeof agentConfigSchema>;

/** Seed defaults: debounce off, auto-split on, 300–1000 ms between parts. */
export const messagingConfigSchema = z
  .object({
    debounceMode: z.enum(['disabled', 'fixed', 'randomized']).default('disabled'),
    debounceMs: z.number().int().min(0).max(120_000).default(1_000),
    debounceMinMs: z.number().int().min(0).max(120_000).default(500),
    debounceMaxMs: z.number().int().min(0).max(120_000).default(2_000),
    /** A burst is flushed at the latest this long after its first message, however chatty the sender. */
    debounceMaxWaitMs: z.number().int().min(0).max(600_000).default(10_000),
    enableAutoSplit: z.boolean().default(true),
    splitDelayMinMs: z.number().int().min(0).max(60_000).default(300),
    splitDelayMaxMs: z.number().int().min(0).max(60_000).default(1_000),
    usernamePrefix: z.boolean().default(false),
  })
  .refine((m) => m.debounceMinMs <= m.debounceMaxMs, 'debounceMinMs must not exceed debounceMaxMs')
  .refine((m) => m.splitDelayMinMs <= m.splitDelayMaxMs, 'splitDelayMinMs must not exceed splitDelayMaxMs');
export type MessagingConfig = z.output<typeof messagingConfigSchema>;

export const mediaConfigSchema = z.object({
  processAudio: z.boolean().default(true),
  processImages: z.boolean().default(true),
  processVideo: z.boolean().default(false),
  processDocuments: z.boolean().default(true),
  processOnBlocked: z.boolean().default(false),
});
export type MediaConfig = z.output<typeof mediaConfigSchema>;

/** Parses stored JSON (null for never set) into full settings with defaults. */
export const messagingOf = (stored: unknown): MessagingConfig => messagingConfigSchema.parse(stored ?? {});
export const mediaOf = (stored: unknown): MediaConfig => mediaConfigSchema.parse(stored ?? {});
export const agentOf = (stored: unknown): AgentConfig | null => (stored ? agentConfigSchema.parse(stored) : null);

const MASK = '••••';

/** A secret as responses show it: never the value, at most its last four characters. */
export const maskSecret = (value: string): string => (value.length >= 12 ? `${MASK}${value.slice(-4)}` : MASK);
export const isMasked = (value: unknown): boolean => typeof value === 'string' && value.startsWith(MASK);

/** Replaces the named fields of an object with their masks. */
export function maskFields<T extends Record<string, unknown>>(obj: T, fields: readonly string[]): T {
  const out: Record<string, unknown> = { ...obj };
  for (const f of fields) if (typeof out[f] === 'string' && out[f]) out[f] = maskSecret(out[f] as string);
  return out as T;
}

/** In an update, a masked value sent back means "unchanged": keep the stored secret. */
export function keepMaskedSecrets(next: Record<string, unknown>, previous: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const out = { ...next };
  for (const f of fields) if (isMasked(out[f])) out[f] = previous[f];
  return out;
}
