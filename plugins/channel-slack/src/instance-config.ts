import { z } from 'zod';

/** Each Slack instance's channelConfig. `botToken`, `signingSecret` and `appToken` are secret fields. */
export const slackInstanceConfig = z
  .object({
    /** The bot user OAuth token (`xoxb-…`) from "OAuth & Permissions". */
    botToken: z.string().regex(/^xox[bp]-\S+$/, 'botToken is a Slack bot token (xoxb-…)'),
    /** "Basic Information" → Signing Secret; verifies Events API requests (mode `events`). */
    signingSecret: z.string().min(8, 'signingSecret looks too short').optional(),
    /** An app-level token (`xapp-…`) with `connections:write`; needed for mode `socket`. */
    appToken: z.string().regex(/^xapp-\S+$/, 'appToken is an app-level token (xapp-…)').optional(),
    /** `events`: Slack POSTs to /api/v2/webhooks/slack/:instanceId. `socket`: Omni opens a Socket Mode websocket. */
    mode: z.enum(['events', 'socket']).default('events'),
    /** Web API base URL, for proxies and tests (default `https://slack.com/api/`). */
    slackApiUrl: z.string().url().refine((u) => /^https?:\/\//.test(u), 'slackApiUrl must be http(s)').optional(),
    /** How long one Web API request may take. */
    requestTimeoutMs: z.number().int().positive().max(120_000).default(15_000),
    /** A send rate-limited for at most this long waits and retries once; longer limits fail the send with `retryAfterMs`. */
    maxRateLimitWaitMs: z.number().int().min(0).max(60_000).default(5_000),
    /** Inbound files larger than this are not downloaded (their Slack URL is kept instead). */
    maxDownloadBytes: z.number().int().positive().default(50 * 1024 * 1024),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'events' && !c.signingSecret) ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: "mode 'events' needs the app's signingSecret" });
    if (c.mode === 'socket' && !c.appToken) ctx.addIssue({ code: 'custom', path: ['appToken'], message: "mode 'socket' needs an app-level appToken (xapp-…)" });
  });
export type SlackInstanceConfig = z.output<typeof slackInstanceConfig>;

export const SLACK_SECRET_FIELDS = ['botToken', 'signingSecret', 'appToken'] as const;
