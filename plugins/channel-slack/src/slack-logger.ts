import { LogLevel, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '@omni/plugin-sdk';

const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');

/**
 * The Slack SDK's logger interface over the instance's pino logger. Slack's own chatter goes to
 * debug; its errors become warnings (what matters reaches the status or the send result).
 * The SDK redacts tokens before logging.
 */
export function slackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.DEBUG;
  return {
    debug: (...msg) => logger.debug(text(msg)),
    info: (...msg) => logger.debug(text(msg)),
    warn: (...msg) => logger.debug(text(msg)),
    error: (...msg) => logger.warn(text(msg)),
    setLevel: (l) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
