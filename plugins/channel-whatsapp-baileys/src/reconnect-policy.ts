import { DisconnectReason } from 'baileys';

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

export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before reconnect attempt `attempt` (1-based): exponential, capped, with "equal jitter"
 * (half fixed, half random) so many instances never reconnect in lockstep.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
