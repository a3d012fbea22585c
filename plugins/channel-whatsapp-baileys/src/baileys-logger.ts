import type { SocketConfig } from 'baileys';
import type { LogFn, Logger } from '@omni/plugin-sdk';

type ILogger = SocketConfig['logger'];

/** Baileys logs `(obj, msg)` and sometimes `(msg)`; both reach pino as it expects. */
const forward = (log: LogFn) => (obj: unknown, msg?: string) => {
  if (typeof obj === 'string') log(obj);
  else log(typeof obj === 'object' && obj !== null ? obj : { detail: obj }, msg);
};

/**
 * Baileys' logger interface over the instance's logger. Baileys is chatty at info, so its info
 * becomes debug and its debug becomes trace; its trace (which dumps protocol nodes, keys included)
 * is never forwarded.
 */
export function baileysLogger(logger: Logger): ILogger {
  return {
    level: 'debug',
    child: (bindings) => baileysLogger(logger.child(bindings)),
    trace: () => undefined,
    debug: forward(logger.trace.bind(logger)),
    info: forward(logger.debug.bind(logger)),
    warn: forward(logger.warn.bind(logger)),
    error: forward(logger.error.bind(logger)),
  };
}
