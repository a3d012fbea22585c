import { dateColumn, type SqlStatement } from '../db/prepared-sql.js';
import type { PlatformIdentity } from '../db/entities/platform-identity.js';

/**
 * The statements a known sender's message runs on `platform_identities` (see
 * `IdentityService.resolveSender`), as prepared statements on both dialects.
 */

const COLUMNS = 'id, person_id, channel, platform_user_id, phone, display_name, avatar_url, instance_id, first_seen_at, last_seen_at, message_count';

/** Params: channel, platform user id. */
export const FIND_IDENTITY: SqlStatement = {
  name: 'identity_find',
  sql: `select ${COLUMNS} from platform_identities where channel = ? and platform_user_id = ?`,
};

/** Params: person id. Oldest first, as `IdentityService.identitiesOf`. */
export const IDENTITIES_OF_PERSON: SqlStatement = {
  name: 'identity_of_person',
  sql: `select ${COLUMNS} from platform_identities where person_id = ? order by first_seen_at asc, id asc`,
};

/** Params: now, display name, avatar url, phone (null keeps the stored value), id. */
export const TOUCH_IDENTITY: SqlStatement = {
  name: 'identity_touch',
  sql:
    'update platform_identities set last_seen_at = ?, message_count = message_count + 1, display_name = coalesce(?, display_name), ' +
    'avatar_url = coalesce(?, avatar_url), phone = coalesce(?, phone) where id = ?',
};

export function identityFromRow(r: Record<string, unknown>): PlatformIdentity {
  return {
    id: r.id as string,
    personId: r.person_id as string,
    channel: r.channel as string,
    platformUserId: r.platform_user_id as string,
    phone: (r.phone as string | null) ?? null,
    displayName: (r.display_name as string | null) ?? null,
    avatarUrl: (r.avatar_url as string | null) ?? null,
    instanceId: (r.instance_id as string | null) ?? null,
    firstSeenAt: dateColumn(r.first_seen_at),
    lastSeenAt: dateColumn(r.last_seen_at),
    messageCount: Number(r.message_count),
  };
}
