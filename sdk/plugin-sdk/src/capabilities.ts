import { z } from 'zod';

/** Every kind of content a message can carry, in both directions. */
export const CONTENT_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contact',
  'reaction',
  'poll',
] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/**
 * Optional channel features. Each feature that needs an adapter method names it in
 * FEATURE_METHODS, and the kernel refuses a plugin that declares a feature without
 * implementing it: a capability object cannot lie.
 */
export const CHANNEL_FEATURES = [
  'reply',
  'edit',
  'delete',
  'typing',
  'presence',
  'readReceipts',
  'deliveryReceipts',
  'groups',
  'threads',
  'streaming',
  'profile',
] as const;
export type ChannelFeature = (typeof CHANNEL_FEATURES)[number];

export const FEATURE_METHODS = {
  edit: 'edit',
  delete: 'delete',
  typing: 'typing',
  readReceipts: 'markRead',
  profile: 'updateProfile',
} as const satisfies Partial<Record<ChannelFeature, string>>;

export const AUTH_METHODS = ['qr', 'pairing-code', 'token', 'oauth', 'secret'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

const contentTypeList = z.array(z.enum(CONTENT_TYPES)).refine((l) => new Set(l).size === l.length, 'duplicate content type');

export const channelCapabilitiesSchema = z.object({
  /** Content the channel can send and the content it can receive, listed separately. */
  content: z.object({ send: contentTypeList, receive: contentTypeList }),
  features: z.array(z.enum(CHANNEL_FEATURES)).refine((l) => new Set(l).size === l.length, 'duplicate feature'),
  auth: z.array(z.enum(AUTH_METHODS)).min(1),
  limits: z.object({
    /** Longest text the platform accepts in one message; longer text is split. */
    maxTextLength: z.number().int().positive(),
    /** Largest file the platform accepts, in bytes. */
    maxFileSize: z.number().int().positive(),
    /** Longest caption on a media message, when it differs from maxTextLength. */
    maxCaptionLength: z.number().int().positive().optional(),
  }),
  /** Event types the channel emits (e.g. `message.received`, `message.delivered`). */
  events: z.array(z.string().regex(/^[a-z]+(\.[a-z_]+)+$/, 'event names look like domain.action')),
  /**
   * A platform rule that limits free-form replies to a window after the user's last
   * message (WhatsApp Cloud: 24 hours). Absent when the channel has no such rule.
   */
  messagingWindow: z.object({ hours: z.number().positive(), outsideWindow: z.literal('template-only') }).optional(),
});
export type ChannelCapabilities = z.infer<typeof channelCapabilitiesSchema>;

/** What one request needs from a channel: content to send and features to use. */
export interface CapabilityNeed {
  send?: ContentType;
  features?: readonly ChannelFeature[];
}

/**
 * Returns what the channel lacks for the request, or an empty list. This is the one
 * place where send requests are checked against a channel's capabilities.
 */
export function missingCapabilities(caps: ChannelCapabilities, need: CapabilityNeed): string[] {
  const missing: string[] = [];
  if (need.send && !caps.content.send.includes(need.send)) missing.push(`send:${need.send}`);
  for (const f of need.features ?? []) if (!caps.features.includes(f)) missing.push(`feature:${f}`);
  return missing;
}
