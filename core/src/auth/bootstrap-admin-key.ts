import type { Logger } from '@omni/plugin-sdk';
import type { ApiKeyService } from './api-key-service.js';

const BOOTSTRAP = { ip: 'local', endpoint: 'bootstrap' };

/**
 * Makes sure an admin key exists. `OMNI_API_KEY` becomes the admin key (stored hashed). Without it,
 * the very first start generates one and hands it to `announce` once; it is never shown again and
 * no endpoint recovers it (`omni keys create --admin` makes another).
 */
export async function bootstrapAdminKey(keys: ApiKeyService, envKey: string | undefined, announce: (key: string) => void, logger: Logger): Promise<void> {
  if (envKey) {
    const existing = await keys.findByKey(envKey);
    if (existing?.revokedAt) {
      logger.error('OMNI_API_KEY was revoked through the API; set a new one or create a key with `omni keys create --admin`');
      return;
    }
    if (!existing) await keys.create({ name: 'admin (OMNI_API_KEY)', scopes: ['*'] }, BOOTSTRAP, { isAdmin: true, key: envKey });
    return;
  }
  if ((await keys.list({ includeRevoked: true })).length > 0) return;
  const { key } = await keys.create({ name: 'admin (generated at first start)', scopes: ['*'] }, BOOTSTRAP, { isAdmin: true });
  announce(key);
}

/** The first-start banner, written to the terminal (stderr), not to the log. */
export const adminKeyBanner = (key: string): string =>
  [
    '',
    '  ┌──────────────────────────────────────────────────────────────────────────┐',
    '  │ Omni generated an admin API key. It is shown this once; store it now.     │',
    '  └──────────────────────────────────────────────────────────────────────────┘',
    `    ${key}`,
    '  Send it as `x-api-key: <key>` or `Authorization: Bearer <key>`.',
    '  Lost it? `omni keys create --admin` makes another.',
    '',
  ].join('\n');
