import { isIP } from 'node:net';
import { z } from 'zod';

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** An IP address, or a CIDR subnet like `10.0.0.0/8`. */
function isAddressOrSubnet(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Every environment variable Omni reads. The README's configuration table mirrors this. */
export const envSchema = z.object({
  OMNI_PORT: z.coerce.number().int().min(0).max(65535).default(8882),
  OMNI_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|:memory:$)/, 'DATABASE_URL must be postgres://…, postgresql://…, sqlite:<path> or :memory:')
    .optional(),
  OMNI_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
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
  OMNI_SECRET_KEY: z.string().min(1).optional(),
  OMNI_API_KEY: z.string().min(24, 'OMNI_API_KEY must be at least 24 characters').optional(),
  OMNI_CORS_ORIGINS: list,
  OMNI_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  OMNI_RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).default(60),
  OMNI_TRUSTED_PROXIES: list.pipe(z.array(z.string().refine(isAddressOrSubnet, 'OMNI_TRUSTED_PROXIES is a comma list of IP addresses or CIDR subnets'))),
  OMNI_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'OMNI_BODY_LIMIT looks like 1mb').default('1mb'),
  NODE_ENV: z.string().default('development'),
});

export interface OmniConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  /** PostgreSQL connections the hub keeps at most (SQLite always uses one). */
  dbPoolSize: number;
  natsUrl?: string;
  /** Subject root and stream prefix on NATS (`omni` → `omni.message.…`, `OMNI_MESSAGE`). */
  natsNamespace: string;
  dataDir: string;
  /** Encrypts secrets at rest (32 bytes, hex or base64); unset: `<dataDir>/secret.key`, generated with mode 600. */
  secretKey?: string;
  /** The admin API key; unset: the first start generates one and prints it once. */
  apiKey?: string;
  /** Origins allowed by CORS (`*` for any); empty: no CORS headers. */
  corsOrigins: string[];
  /** Requests per window per API key (per address without a key); 0 turns rate limiting off. */
  rateLimit: number;
  rateLimitWindowSeconds: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  plugins: string[];
  disabledPlugins: string[];
  /** Per-plugin config, from `OMNI_PLUGIN_<ID>_CONFIG` (JSON), keyed by plugin id. */
  pluginConfig: Record<string, unknown>;
  setupTimeoutMs: number;
  bodyLimit: string;
  /** Peers whose X-Forwarded-For / X-Real-IP the internal API believes (addresses or CIDR subnets). */
  trustedProxies: string[];
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
    dbPoolSize: e.OMNI_DB_POOL_SIZE,
    natsUrl: e.NATS_URL,
    natsNamespace: e.OMNI_NATS_NAMESPACE,
    dataDir: e.OMNI_DATA_DIR,
    secretKey: e.OMNI_SECRET_KEY,
    apiKey: e.OMNI_API_KEY,
    corsOrigins: e.OMNI_CORS_ORIGINS,
    rateLimit: e.OMNI_RATE_LIMIT,
    rateLimitWindowSeconds: e.OMNI_RATE_LIMIT_WINDOW_S,
    logLevel: e.LOG_LEVEL,
    plugins: e.OMNI_PLUGINS,
    disabledPlugins: e.OMNI_DISABLED_PLUGINS,
    pluginConfig,
    setupTimeoutMs: e.OMNI_PLUGIN_SETUP_TIMEOUT_MS,
    bodyLimit: e.OMNI_BODY_LIMIT,
    trustedProxies: e.OMNI_TRUSTED_PROXIES,
    recoveryMaxAgeMs: e.OMNI_RECOVERY_MAX_AGE_MS,
    processingLeaseMs: e.OMNI_PROCESSING_LEASE_MS,
    payloadRetentionDays: e.OMNI_EVENT_PAYLOAD_RETENTION_DAYS,
    environment: e.NODE_ENV,
  };
}
