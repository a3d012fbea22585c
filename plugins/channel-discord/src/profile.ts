import { ActivityType, Routes, type APIUser, type Client, type REST } from 'discord.js';
import { OmniError, type PlatformProfile, type ProfileUpdate } from '@omni/plugin-sdk';
import { toSendFailure } from './platform-error.js';

const ACTIVITY_TYPES = { playing: ActivityType.Playing, listening: ActivityType.Listening, watching: ActivityType.Watching, competing: ActivityType.Competing } as const;

/** A Discord REST failure as an API error that carries Discord's reason. */
export function platformError(err: unknown, what: string): OmniError {
  const failure = toSendFailure(err);
  if (failure.code === 'RATE_LIMITED') return new OmniError('RATE_LIMITED', `${what}: ${failure.message}`, { details: failure });
  if (failure.code === 'DISCORD_10013') return new OmniError('NOT_FOUND', `${what}: Discord knows no such user`, { details: failure });
  return new OmniError('PLATFORM_ERROR', `${what}: ${failure.message}`, { details: failure });
}

/** An avatar as Discord wants it: a data URI. Accepts a data URI, an http(s) URL to fetch, or bare base64 (PNG). */
async function avatarDataUri(avatar: string): Promise<string> {
  if (avatar.startsWith('data:')) return avatar;
  if (/^https?:\/\//.test(avatar)) {
    const res = await fetch(avatar, { signal: AbortSignal.timeout(30_000) });
    if (!res.ok) throw new OmniError('BAD_REQUEST', `avatar URL answered ${res.status}`);
    const type = res.headers.get('content-type')?.split(';')[0] ?? 'image/png';
    return `data:${type};base64,${Buffer.from(await res.arrayBuffer()).toString('base64')}`;
  }
  return `data:image/png;base64,${avatar}`;
}

/**
 * Seed 000 `PUT /instances/:id/profile` for a bot: username and avatar through `PATCH /users/@me`,
 * activity (and `status` as a custom status) through the gateway presence.
 */
export async function updateBotProfile(rest: REST, client: Client | undefined, profile: ProfileUpdate): Promise<void> {
  const username = profile.username ?? profile.name;
  const avatar = profile.avatar ?? profile.picture;
  const wantsPresence = profile.activity !== undefined || profile.status !== undefined;
  if (wantsPresence && !client?.user) throw new OmniError('CONFLICT', 'activity and status need a live gateway connection; connect the instance (ingress: gateway) first');
  if (username !== undefined || avatar !== undefined) {
    const body = { ...(username !== undefined ? { username } : {}), ...(avatar !== undefined ? { avatar: await avatarDataUri(avatar) } : {}) };
    try {
      await rest.patch(Routes.user(), { body });
    } catch (err) {
      throw platformError(err, 'Discord refused the profile update');
    }
  }
  if (wantsPresence && client?.user) {
    const activities = [
      ...(profile.activity ? [{ name: profile.activity.text, type: ACTIVITY_TYPES[profile.activity.type] }] : []),
      ...(profile.status !== undefined ? [{ name: 'Custom Status', state: profile.status, type: ActivityType.Custom }] : []),
    ];
    client.user.setPresence({ activities });
  }
}

/** A user's avatar on Discord's CDN, when they have one. */
export const avatarUrl = (user: APIUser) => (user.avatar ? `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.png` : undefined);

export function profileOf(user: APIUser): PlatformProfile {
  const avatar = avatarUrl(user);
  return {
    platformUserId: user.id,
    name: user.global_name ?? user.username,
    username: user.username,
    ...(avatar ? { avatarUrl: avatar } : {}),
    isBot: Boolean(user.bot),
  };
}

export async function fetchUser(rest: REST, userId: string): Promise<APIUser> {
  if (!/^\d{5,25}$/.test(userId)) throw new OmniError('BAD_REQUEST', 'a Discord user id is a number (snowflake)');
  try {
    return (await rest.get(Routes.user(userId))) as APIUser;
  } catch (err) {
    throw platformError(err, `could not fetch Discord user ${userId}`);
  }
}
