import type { WebClient } from '@slack/web-api';
import type { PlatformProfile, Sender } from '@omni/plugin-sdk';

const TTL_MS = 60 * 60 * 1000;

interface SlackUser {
  id?: string;
  name?: string;
  real_name?: string;
  is_bot?: boolean;
  profile?: { real_name?: string; display_name?: string; title?: string; image_192?: string; image_72?: string };
}

export function toPlatformProfile(userId: string, user: SlackUser | undefined): PlatformProfile {
  const p = user?.profile;
  const name = p?.display_name || p?.real_name || user?.real_name || user?.name;
  return {
    platformUserId: userId,
    ...(name ? { name } : {}),
    ...(user?.name ? { username: user.name } : {}),
    ...(p?.title ? { about: p.title } : {}),
    ...(p?.image_192 || p?.image_72 ? { avatarUrl: p.image_192 ?? p.image_72 } : {}),
    ...(user?.is_bot !== undefined ? { isBot: user.is_bot } : {}),
  };
}

/**
 * Sender profiles from users.info, cached for an hour per user. A lookup that fails (for instance
 * without the `users:read` scope) leaves the sender with just its id; the message still goes through.
 */
export class UserProfiles {
  private readonly cache = new Map<string, { profile: PlatformProfile; at: number }>();

  constructor(private readonly client: WebClient) {}

  /** users.info, uncached; throws Slack's error. */
  async fetch(userId: string): Promise<PlatformProfile> {
    const res = await this.client.users.info({ user: userId });
    const profile = toPlatformProfile(userId, res.user as SlackUser | undefined);
    this.cache.set(userId, { profile, at: Date.now() });
    return profile;
  }

  async sender(userId: string): Promise<Sender> {
    const hit = this.cache.get(userId);
    let profile = hit && Date.now() - hit.at < TTL_MS ? hit.profile : undefined;
    if (!profile) profile = await this.fetch(userId).catch(() => undefined);
    return {
      id: userId,
      ...(profile?.name ? { name: profile.name } : {}),
      ...(profile?.username ? { username: profile.username } : {}),
      ...(profile?.avatarUrl ? { avatarUrl: profile.avatarUrl } : {}),
      ...(profile?.isBot !== undefined ? { isBot: profile.isBot } : {}),
    };
  }
}
