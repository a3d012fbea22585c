import { DisconnectReason } from 'baileys';
import { reconnectDelay, reconnectingStatus, type ConnectionStatus } from '@omni/plugin-sdk';

/** What to do when a socket closes, by baileys' DisconnectReason status code. */
export type CloseAction =
  /** 401 / 403: the phone unlinked this device. Clear the session; never reconnect. */
  | 'logged_out'
  /** 440: another client took over the session. Stop; reconnecting would only fight it. */
  | 'replaced'
  /** 515: WhatsApp asks for a restart (normal right after pairing). Reconnect at once. */
  | 'restart'
  /** Anything else, or no code: reconnect with exponential backoff. */
  | 'backoff';

export function closeAction(statusCode: number | undefined): CloseAction {
  switch (statusCode) {
    case DisconnectReason.loggedOut:
    case DisconnectReason.forbidden:
      return 'logged_out';
    case DisconnectReason.connectionReplaced:
      return 'replaced';
    case DisconnectReason.restartRequired:
      return 'restart';
    default:
      return 'backoff';
  }
}

/** The instance's `reconnect` settings (see instance-config.ts for the defaults). */
export interface ReconnectOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Give up after this many attempts in a row; 0: never. */
  maxAttempts: number;
}

/**
 * The wait before reconnect attempt `attempt` (1-based): the SDK's `reconnectDelay`, doubling from
 * `initialDelayMs` up to `maxDelayMs`, with "equal jitter" (each wait between half and all of the step).
 */
export function backoffDelay(attempt: number, options: Pick<ReconnectOptions, 'initialDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  return reconnectDelay(attempt, { initialMs: options.initialDelayMs, maxMs: options.maxDelayMs, jitter: 'equal' }, random);
}

/** After a close with the `backoff` action: either the status to report and the wait before attempt `attempt`, or giving up. */
export type ReconnectStep = { status: Omit<ConnectionStatus, 'since'> } & ({ giveUp: true } | { giveUp: false; delayMs: number });

/**
 * The step for reconnect attempt `attempt` (1-based) after the connection was lost for `reason`:
 * `reconnecting` with the attempt and when it will be made, or, past `maxAttempts` (when not 0),
 * `error` saying it gave up (still retryable: a restart of the instance tries again).
 */
export function reconnectStep(
  attempt: number,
  options: ReconnectOptions,
  reason: { code: string; message: string },
  random: () => number = Math.random,
  now: number = Date.now(),
): ReconnectStep {
  if (options.maxAttempts > 0 && attempt > options.maxAttempts) {
    const message = `gave up after ${options.maxAttempts} reconnect attempts; last: ${reason.message}`;
    return { giveUp: true, status: { state: 'error', error: { code: reason.code, message, retryable: true } } };
  }
  const delayMs = backoffDelay(attempt, options, random);
  return { giveUp: false, delayMs, status: reconnectingStatus(attempt, delayMs, reason, now) };
}
