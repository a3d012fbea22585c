import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The request being served, so every log line written while serving it carries its id. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Keys whose values never reach a log line. */
const REDACT = ['*.apiKey', '*.token', '*.secret', '*.password', '*.authorization', 'req.headers.authorization', 'req.headers["x-api-key"]', '*.channelConfig'];

export function createLogger(level: string, destination?: DestinationStream): PinoLogger {
  return pino(
    {
      level,
      base: { service: 'omni' },
      redact: { paths: REDACT, censor: '[redacted]' },
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { reqId: ctx.requestId } : {};
      },
    },
    destination,
  );
}
