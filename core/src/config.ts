import { z } from 'zod';

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** Every environment variable Omni reads. The README's configuration table mirrors this. */
export const envSchema = z.object({
  OMNI_PORT: z.coerce.number().int().min(0).max(65535).default(8882),
  OMNI_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|:memory:$)/, 'DATABASE_URL must be postgres://…, postgresql://…, sqlite:<path> or :memory:')
    .optional(),
  NATS_URL: z.string().regex(/^(nats|tls|wss?):\/\//, 'NATS_URL must be nats://host:port').optional(),
  OMNI_NATS_NAMESPACE: z.string().regex(/^[a-z][a-z0-9-]*$/, 'OMNI_NATS_NAMESPACE is lowercase letters, digits and -').default('omni'),
  OMNI_DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OMNI_PLUGINS: list,
  OMNI_DISABLED_PLUGINS: list,
  OMNI_PLUGIN_SETUP_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  OMNI_RECOVERY_MAX_AGE_MS: z.coerce.number().int().min(0).default(3_600_000),
  OMNI_EVENT_PAYLOAD_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  OMNI_PROCESSING_LEASE_MS: z.coerce.number().int().min(200).default(30_000),
  OMNI_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'OMNI_BODY_LIMIT looks like 1mb').default('1mb'),
  NODE_ENV: z.string().default('development'),
});

export interface OmniConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  natsUrl?: string;
  /** Subject root and stream prefix on NATS (`omni` → `omni.message.…`, `OMNI_MESSAGE`). */
  natsNamespace: string;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  plugins: string[];
  disabledPlugins: string[];
  /** Per-plugin config, from `OMNI_PLUGIN_<ID>_CONFIG` (JSON), keyed by plugin id. */
  pluginConfig: Record<string, unknown>;
  setupTimeoutMs: number;
  bodyLimit: string;
  /** Unfinished inbound messages older than this are not answered after a restart. */
  recoveryMaxAgeMs: number;
  /** How long a crashed worker's messages wait before another worker (or the restarted one) takes them over. */
  processingLeaseMs: number;
  /** Message payloads older than this are dropped (events and traces stay); 0 keeps them. */
  payloadRetentionDays: number;
  environment: string;
}

const PLUGIN_CONFIG_VAR = /^OMNI_PLUGIN_([A-Z0-9_]+)_CONFIG$/;

/** Reads configuration from the environment; throws one error listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OmniConfig {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const pluginConfig: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = PLUGIN_CONFIG_VAR.exec(name);
    if (!match?.[1] || value === undefined) continue;
    try {
      pluginConfig[match[1].toLowerCase().replace(/_/g, '-')] = JSON.parse(value);
    } catch {
      problems.push(`${name}: not valid JSON`);
    }
  }
  if (!parsed.success || problems.length > 0) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  const e = parsed.data;
  return {
    port: e.OMNI_PORT,
    host: e.OMNI_HOST,
    databaseUrl: e.DATABASE_URL,
    natsUrl: e.NATS_URL,
    natsNamespace: e.OMNI_NATS_NAMESPACE,
    dataDir: e.OMNI_DATA_DIR,
    logLevel: e.LOG_LEVEL,
    plugins: e.OMNI_PLUGINS,
    disabledPlugins: e.OMNI_DISABLED_PLUGINS,
    pluginConfig,
    setupTimeoutMs: e.OMNI_PLUGIN_SETUP_TIMEOUT_MS,
    bodyLimit: e.OMNI_BODY_LIMIT,
    recoveryMaxAgeMs: e.OMNI_RECOVERY_MAX_AGE_MS,
    processingLeaseMs: e.OMNI_PROCESSING_LEASE_MS,
    payloadRetentionDays: e.OMNI_EVENT_PAYLOAD_RETENTION_DAYS,
    environment: e.NODE_ENV,
  };
}
