import { WebClient } from '@slack/web-api';
import type { Logger } from '@omni/plugin-sdk';
import type { SlackInstanceConfig } from './instance-config.js';
import { isRateLimited } from './slack-errors.js';
import { slackLogger } from './slack-logger.js';

/**
 * A Web API client for one instance. Rate-limited calls are rejected rather than queued
 * (`rejectRateLimitedCalls`), so a 429 can never hang a send; `withRateLimit` decides
 * whether to wait. Retries of failed requests are left to Omni's own policy.
 */
export function createWebClient(config: SlackInstanceConfig, logger: Logger): WebClient {
  return new WebClient(config.botToken, {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    timeout: config.requestTimeoutMs,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: slackLogger(logger),
  });
}

/**
 * Runs a Web API call. When Slack answers 429 with a `retry-after` no longer than `maxWaitMs`,
 * waits that long and tries once more; a longer limit (or a second 429) is thrown to the caller,
 * which reports it with `retryAfterMs`.
 */
export async function withRateLimit<T>(call: () => Promise<T>, maxWaitMs: number, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!isRateLimited(err) || err.retryAfter * 1000 > maxWaitMs || signal?.aborted) throw err;
    await new Promise((resolve) => setTimeout(resolve, err.retryAfter * 1000));
    return call();
  }
}
